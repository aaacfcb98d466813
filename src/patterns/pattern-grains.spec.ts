import { DIMENSIONS, grainFor, GRAINS } from './pattern-grains';

describe('pattern grains', () => {
  it('picks the smallest grain holding every dimension asked for', () => {
    expect(grainFor(['category', 'country']).id).toBe(2);
    expect(grainFor(['platform']).id).toBe(3);
    expect(grainFor(['country', 'targetGroup']).id).toBe(5);
    expect(grainFor(['platform', 'country']).id).toBe(0);
    expect(grainFor(['platform', 'targetGroup']).id).toBe(1);
    expect(grainFor([]).dimensions).toContain('month');
  });

  it('never counts target groups unless asked: a grain is chosen with them only when needed', () => {
    for (const d of DIMENSIONS) {
      const g = grainFor([d]);
      expect(g.dimensions.includes('targetGroup')).toBe(d === 'targetGroup');
      expect(g.dimensions).toContain(d);
    }
  });

  it('has unique ids and every grain holds the month', () => {
    expect(new Set(GRAINS.map((g) => g.id)).size).toBe(GRAINS.length);
    for (const g of GRAINS) expect(g.dimensions).toContain('month');
  });
});
