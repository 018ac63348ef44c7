/**
 * The run's chart as SVG, drawn here (no browser, no plotting library):
 * throughput per second on top (events stored, contracts relayed, commands
 * answered), lag below (relay lag p99 per second, each breach's lag as a dot),
 * a shared time axis in seconds since the day started.
 */

export interface Series {
  readonly label: string;
  readonly colour: string;
  /** Value per second since the start; NaN where there is none. */
  readonly values: readonly number[];
}

export interface ChartInput {
  readonly title: string;
  readonly throughput: readonly Series[];
  readonly lag: readonly Series[];
  /** Points (second, milliseconds). */
  readonly lagDots?: { readonly label: string; readonly colour: string; readonly points: readonly (readonly [number, number])[] };
  /** Vertical markers (second, label). */
  readonly marks?: readonly (readonly [number, string])[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function renderChart(input: ChartInput): string {
  const W = 960;
  const left = 70;
  const right = 20;
  const panelH = 220;
  const top1 = 50;
  const top2 = top1 + panelH + 70;
  const H = top2 + panelH + 70;
  const length = Math.max(1, ...input.throughput.map((s) => s.values.length), ...input.lag.map((s) => s.values.length), ...(input.lagDots?.points.map(([x]) => x + 1) ?? []));
  const x = (i: number) => left + (i / Math.max(1, length - 1)) * (W - left - right);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(input.title)}</text>`);

  const panel = (top: number, title: string, unit: string, series: readonly Series[], dots?: ChartInput['lagDots']) => {
    const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
    const dotMax = dots ? Math.max(0, ...dots.points.map(([, v]) => v)) : 0;
    const max = niceMax(Math.max(0, ...finite, dotMax));
    const y = (v: number) => top + panelH - (v / max) * panelH;
    out.push(`<text x="${left}" y="${top - 10}" font-weight="bold">${esc(title)}</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${W - left - right}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (let k = 0; k <= 4; k++) {
      const v = (max * k) / 4;
      out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
      out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(3))}</text>`);
    }
    out.push(`<text x="14" y="${top + panelH / 2}" transform="rotate(-90 14 ${top + panelH / 2})" text-anchor="middle">${esc(unit)}</text>`);
    for (const [second, label] of input.marks ?? []) {
      out.push(`<line x1="${x(second).toFixed(1)}" x2="${x(second).toFixed(1)}" y1="${top}" y2="${top + panelH}" stroke="#bbb" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${(x(second) + 3).toFixed(1)}" y="${top + 12}" fill="#777" font-size="10">${esc(label)}</text>`);
    }
    for (const s of series) {
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      if (d) out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.5"/>`);
    }
    if (dots) for (const [sx, v] of dots.points) out.push(`<circle cx="${x(sx).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.8" fill="${dots.colour}" fill-opacity="0.6"/>`);
    const legend = [...series.map((s) => [s.label, s.colour] as const), ...(dots ? [[dots.label, dots.colour] as const] : [])];
    legend.forEach(([label, colour], i) => {
      const lx = left + 10 + i * 230;
      out.push(`<rect x="${lx}" y="${top + panelH + 30}" width="12" height="4" fill="${colour}"/>`);
      out.push(`<text x="${lx + 18}" y="${top + panelH + 36}">${esc(label)}</text>`);
    });
    for (let k = 0; k <= 5; k++) {
      const i = Math.round(((length - 1) * k) / 5);
      out.push(`<text x="${x(i).toFixed(1)}" y="${top + panelH + 16}" text-anchor="middle">${i} s</text>`);
    }
  };
  panel(top1, 'Throughput per second', 'per second', input.throughput);
  panel(top2, 'Lag', 'milliseconds', input.lag, input.lagDots);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
