/** Standalone SVG plot of one or more ROC curves, for reports and docs. */

export interface RocSvgCurve {
  label: string;
  far: number[];
  tar: number[];
}

export interface RocSvgOptions {
  title?: string;
  /** Log-scale FAR axis from 1e-4 to 1; operating points live at small FAR. */
  logFar?: boolean;
  /** Bottom of the TAR axis, e.g. 0.9 to zoom in on strong models. Default 0. */
  tarMin?: number;
}

const WIDTH = 640;
const HEIGHT = 480;
const MARGIN = { left: 64, right: 20, top: 40, bottom: 52 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const LOG_FAR_MIN = 1e-4;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function fmt(v: number): string {
  return v.toFixed(2);
}

export function rocSvg(curves: readonly RocSvgCurve[], opts: RocSvgOptions = {}): string {
  const logFar = opts.logFar ?? false;
  const tarMin = opts.tarMin ?? 0;
  if (!(tarMin >= 0 && tarMin < 1)) throw new Error(`tarMin must be in [0, 1), got ${tarMin}`);

  const xOf = (far: number): number => {
    // FAR 0 has no log; pin it to the left edge rather than drop the point.
    const u = logFar
      ? (Math.log10(Math.max(far, LOG_FAR_MIN)) - Math.log10(LOG_FAR_MIN)) /
        -Math.log10(LOG_FAR_MIN)
      : far;
    return MARGIN.left + u * PLOT_W;
  };
  const yOf = (tar: number): number => MARGIN.top + ((1 - tar) / (1 - tarMin)) * PLOT_H;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    // Zoomed TAR axes cut curves off at the bottom; clip instead of clamping so nothing lies.
    `<defs><clipPath id="plot"><rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}"/></clipPath></defs>`,
  ];
  if (opts.title !== undefined) {
    out.push(
      `<text x="${WIDTH / 2}" y="${MARGIN.top / 2 + 5}" text-anchor="middle" font-size="16">${escapeXml(opts.title)}</text>`,
    );
  }

  const xTicks = logFar ? [1e-4, 1e-3, 1e-2, 1e-1, 1] : [0, 0.2, 0.4, 0.6, 0.8, 1];
  const xLabel = (v: number): string => (logFar ? (v === 1 ? '1' : v.toExponential(0)) : String(v));
  const bottom = MARGIN.top + PLOT_H;
  for (const v of xTicks) {
    const x = fmt(xOf(v));
    out.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${bottom}" stroke="#ddd"/>`,
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="black"/>`,
      `<text x="${x}" y="${bottom + 18}" text-anchor="middle">${xLabel(v)}</text>`,
    );
  }
  const yStep = (1 - tarMin) / 5;
  const yDigits = tarMin === 0 ? 1 : Math.max(2, Math.ceil(-Math.log10(yStep)));
  for (let i = 0; i <= 5; i++) {
    const v = tarMin + i * yStep;
    const y = fmt(yOf(v));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" stroke="#ddd"/>`,
      `<line x1="${MARGIN.left - 5}" y1="${y}" x2="${MARGIN.left}" y2="${y}" stroke="black"/>`,
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${v.toFixed(yDigits)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="black"/>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 12}" text-anchor="middle">False accept rate${logFar ? ' (log scale)' : ''}</text>`,
    `<text transform="translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">True accept rate</text>`,
  );

  curves.forEach((curve, i) => {
    if (curve.far.length !== curve.tar.length) {
      throw new Error(`curve "${curve.label}": far and tar lengths differ`);
    }
    const color = COLORS[i % COLORS.length] as string;
    const points = curve.far
      .map((f, j) => `${fmt(xOf(f))},${fmt(yOf(curve.tar[j] as number))}`)
      .join(' ');
    out.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2" clip-path="url(#plot)"/>`,
    );
  });

  // Legend bottom-right: ROC curves hug the top-left, so that corner stays empty.
  const legendX = MARGIN.left + PLOT_W - 12;
  if (curves.length > 0) {
    // Text width is unknown without a DOM; ~7 px per character at 12 px is close enough.
    const w = 40 + 7 * Math.max(...curves.map((c) => c.label.length));
    const h = 18 * curves.length + 6;
    out.push(
      `<rect x="${legendX - w}" y="${bottom - 2 - h}" width="${w + 6}" height="${h}" fill="white" fill-opacity="0.85" stroke="#999"/>`,
    );
  }
  curves.forEach((curve, i) => {
    const y = bottom - 14 - (curves.length - 1 - i) * 18;
    const color = COLORS[i % COLORS.length] as string;
    out.push(
      `<line x1="${legendX - 20}" y1="${y}" x2="${legendX}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${legendX - 26}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(curve.label)}</text>`,
    );
  });

  out.push('</svg>');
  return out.join('\n') + '\n';
}
