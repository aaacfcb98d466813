import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { WebDependencies } from './web-dependencies';
import { WebModule } from './web.module';

/** Global providers of CoreModule: every module may inject them without importing anything. */
const GLOBAL = [AppConfig, Clock];

function webFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return webFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('web dependencies', () => {
  it('the web layer never looks services up in the Nest container', () => {
    const offenders = webFiles(__dirname).filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /\bapp\.get\(|\.resolve\(\s*[A-Z]|NestFastifyApplication/.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it("every service WebDependencies injects is WebModule's own, global, or exported by an import", () => {
    const injected: unknown[] = Reflect.getMetadata('design:paramtypes', WebDependencies);
    const own: unknown[] = Reflect.getMetadata('providers', WebModule);
    const imports: unknown[] = Reflect.getMetadata('imports', WebModule);
    const exported = imports.flatMap(
      (m) => (Reflect.getMetadata('exports', m as object) as unknown[] | undefined) ?? [],
    );
    expect(injected.length).toBeGreaterThan(0);
    const undeclared = injected
      .filter((type) => !GLOBAL.includes(type as never))
      .filter((type) => !own.includes(type) && !exported.includes(type))
      .map((type) => (type as { name?: string }).name);
    expect(undeclared).toEqual([]);
  });
});
