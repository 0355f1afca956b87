/** Saves a lab figure (the <svg> inside `host`) as an SVG file or a PNG of it. */

function svgText(host: HTMLElement | null): string | null {
  const svg = host?.querySelector('svg');
  if (!svg) return null;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadSvg(host: HTMLElement | null, name: string): void {
  const text = svgText(host);
  if (text) save(new Blob([text], { type: 'image/svg+xml' }), name);
}

/** Draws the SVG onto a canvas at twice its size (sharp on high-density screens). */
export async function downloadPng(host: HTMLElement | null, name: string): Promise<void> {
  const text = svgText(host);
  const svg = host?.querySelector('svg');
  if (!text || !svg) return;
  const width = svg.width.baseVal.value;
  const height = svg.height.baseVal.value;
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width * 2;
    canvas.height = height * 2;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#0f172a';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (png) save(png, name);
  } finally {
    URL.revokeObjectURL(url);
  }
}
