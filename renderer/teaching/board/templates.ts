// Board page backgrounds, drawn in content units (1920 across) so they are crisp
// at 1080p and 4K alike. Proportions follow the paper teachers use.
export const TEMPLATES = ['white', 'green', 'black', 'tianzige', 'mizige', 'sixian', 'fangge', 'wuxianpu', 'zuobiao'] as const;
export type Template = (typeof TEMPLATES)[number];

export const CONTENT_WIDTH = 1920;

const PAPER: Record<Template, string> = {
  white: '#ffffff',
  green: '#1f4d3a',
  black: '#121212',
  tianzige: '#ffffff',
  mizige: '#ffffff',
  sixian: '#ffffff',
  fangge: '#ffffff',
  wuxianpu: '#ffffff',
  zuobiao: '#ffffff',
};

/** Ink that shows on this paper: white chalk on dark boards, red on paper. */
export function defaultInkColor(t: Template): string {
  return t === 'green' || t === 'black' ? '#ffffff' : '#e53935';
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number) {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** Character boxes (田字格 / 米字格): solid frame, dashed guides. */
function characterGrid(ctx: CanvasRenderingContext2D, w: number, h: number, diagonals: boolean) {
  const size = 200;
  const cols = Math.floor((w - 80) / size);
  const rows = Math.floor((h - 80) / size);
  const x0 = (w - cols * size) / 2;
  const y0 = (h - rows * size) / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = x0 + c * size;
      const y = y0 + r * size;
      ctx.setLineDash([]);
      ctx.strokeStyle = '#2e7d32';
      ctx.lineWidth = 4;
      ctx.strokeRect(x, y, size, size);
      ctx.setLineDash([12, 10]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#66bb6a';
      line(ctx, x + size / 2, y, x + size / 2, y + size);
      line(ctx, x, y + size / 2, x + size, y + size / 2);
      if (diagonals) {
        line(ctx, x, y, x + size, y + size);
        line(ctx, x + size, y, x, y + size);
      }
    }
  }
  ctx.setLineDash([]);
}

/** 四线三格: four lines, three spaces; the third (base) line in red. */
function fourLines(ctx: CanvasRenderingContext2D, w: number, h: number) {
  const gap = 36;
  const group = gap * 3;
  const between = 90;
  for (let y = 90; y + group < h - 40; y += group + between) {
    for (let i = 0; i < 4; i++) {
      ctx.strokeStyle = i === 2 ? '#e53935' : '#1565c0';
      ctx.lineWidth = i === 2 ? 3 : 2;
      line(ctx, 80, y + i * gap, w - 80, y + i * gap);
    }
  }
}

function squares(ctx: CanvasRenderingContext2D, w: number, h: number, step: number, color: string) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  for (let x = step; x < w; x += step) line(ctx, x, 0, x, h);
  for (let y = step; y < h; y += step) line(ctx, 0, y, w, y);
}

/** 五线谱: staves of five lines. */
function staves(ctx: CanvasRenderingContext2D, w: number, h: number) {
  const gap = 22;
  ctx.strokeStyle = '#212121';
  ctx.lineWidth = 2;
  for (let y = 110; y + gap * 4 < h - 60; y += gap * 4 + 110) {
    for (let i = 0; i < 5; i++) line(ctx, 100, y + i * gap, w - 100, y + i * gap);
    line(ctx, 100, y, 100, y + gap * 4);
    line(ctx, w - 100, y, w - 100, y + gap * 4);
  }
}

/** 坐标格: a grid with x and y axes through the middle, arrows and unit ticks. */
function coordinates(ctx: CanvasRenderingContext2D, w: number, h: number) {
  const step = 60;
  const ox = Math.round(w / 2 / step) * step;
  const oy = Math.round(h / 2 / step) * step;
  squares(ctx, w, h, step, '#cfd8dc');
  ctx.strokeStyle = '#263238';
  ctx.fillStyle = '#263238';
  ctx.lineWidth = 3;
  line(ctx, 40, oy, w - 40, oy);
  line(ctx, ox, h - 40, ox, 40);
  const arrow = (x: number, y: number, dx: number, dy: number) => {
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x - dx * 22 + dy * 10, y - dy * 22 + dx * 10);
    ctx.lineTo(x - dx * 22 - dy * 10, y - dy * 22 - dx * 10);
    ctx.closePath();
    ctx.fill();
  };
  arrow(w - 40, oy, 1, 0);
  arrow(ox, 40, 0, -1);
  ctx.font = '28px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let x = ox + step, n = 1; x < w - 80; x += step, n++) ctx.fillText(String(n), x, oy + 8);
  for (let x = ox - step, n = -1; x > 60; x -= step, n--) ctx.fillText(String(n), x, oy + 8);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let y = oy - step, n = 1; y > 70; y -= step, n++) ctx.fillText(String(n), ox - 10, y);
  for (let y = oy + step, n = -1; y < h - 60; y += step, n--) ctx.fillText(String(n), ox - 10, y);
  ctx.font = 'italic 34px serif';
  ctx.fillText('x', w - 50, oy - 30);
  ctx.fillText('y', ox - 20, 56);
  ctx.fillText('O', ox - 10, oy + 24);
}

/** Paints `template` over a canvas whose context is scaled so 1 unit = 1 content px. */
export function drawTemplate(ctx: CanvasRenderingContext2D, template: Template, w: number, h: number): void {
  ctx.fillStyle = PAPER[template];
  ctx.fillRect(0, 0, w, h);
  switch (template) {
    case 'tianzige':
      return characterGrid(ctx, w, h, false);
    case 'mizige':
      return characterGrid(ctx, w, h, true);
    case 'sixian':
      return fourLines(ctx, w, h);
    case 'fangge':
      return squares(ctx, w, h, 60, '#90caf9');
    case 'wuxianpu':
      return staves(ctx, w, h);
    case 'zuobiao':
      return coordinates(ctx, w, h);
    default:
      return;
  }
}
