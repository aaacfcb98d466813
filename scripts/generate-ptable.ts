import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPtable } from '../src/patterns/ptable.generator';

/**
 * `node -r ts-node/register/transpile-only scripts/generate-ptable.ts`: writes the cell key
 * method's perturbation table to src/patterns/data/ptable.json. The parameters are the ones
 * DISCLOSURE.md starts from; change them here and in ptable.spec.ts together.
 */
const table = buildPtable({ maximumDeviation: 2, targetVariance: 1, keyRange: 4096 });
const file = join(__dirname, '..', 'src', 'patterns', 'data', 'ptable.json');
writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
console.warn(`wrote ${file}`);
