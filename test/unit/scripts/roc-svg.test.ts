import { describe, expect, it } from 'vitest';
import { rocSvg } from '../../../scripts/lib/roc-svg';

/** Cheap well-formedness check: every tag closes in order and every & is an entity. */
function expectBalancedXml(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name as string);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
}

const curves = [
  {
    label: 'MobileFaceNet',
    far: [0, 1e-4, 1e-3, 0.01, 0.1, 1],
    tar: [0, 0.9, 0.95, 0.98, 0.99, 1],
  },
  { label: 'Baseline <fp32> & co', far: [0, 0.5, 1], tar: [0, 0.8, 1] },
];

describe('rocSvg', () => {
  it('produces a standalone SVG with a legend', () => {
    const svg = rocSvg(curves, { title: 'LFW ROC' });
    expect(svg).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\s*$/,
    );
    expectBalancedXml(svg);
    expect(svg).toContain('LFW ROC');
    expect(svg).toContain('MobileFaceNet');
    expect(svg).toContain('Baseline &lt;fp32&gt; &amp; co');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('False accept rate<');
  });

  it('draws a log FAR axis from 1e-4 to 1', () => {
    const svg = rocSvg(curves, { logFar: true });
    expectBalancedXml(svg);
    for (const label of ['1e-4', '1e-3', '1e-2', '1e-1', '>1<']) expect(svg).toContain(label);
    expect(svg).toContain('(log scale)');
    // FAR 0 has no log; it lands on the left edge instead of producing NaN.
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });

  it('zooms the TAR axis', () => {
    const svg = rocSvg(curves, { tarMin: 0.9 });
    expectBalancedXml(svg);
    for (const label of ['>0.90<', '>0.92<', '>0.98<', '>1.00<']) expect(svg).toContain(label);
    expect(svg).toContain('clip-path="url(#plot)"');
  });

  it('rejects mismatched arrays', () => {
    expect(() => rocSvg([{ label: 'x', far: [0, 1], tar: [0] }])).toThrow(/lengths differ/);
  });
});
