/** Machado, Oliveira & Fernandes (2009) simulation matrices at full severity, applied to linear RGB. */
const DEFICIENCIES = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
} as const;

export type Deficiency = keyof typeof DEFICIENCIES | "none";
export type Rgb = readonly [number, number, number];

const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toSrgb = (c: number): number => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
const clamp = (c: number): number => Math.min(1, Math.max(0, c));

/** An sRGB colour (0–255 a channel) as a person with the deficiency sees it. */
export function simulate(rgb: Rgb, deficiency: Deficiency): Rgb {
  if (deficiency === "none") return rgb;
  const linear = rgb.map((c) => toLinear(c / 255));
  const m = DEFICIENCIES[deficiency];
  const out = m.map((row) => toSrgb(clamp(row[0] * (linear[0] ?? 0) + row[1] * (linear[1] ?? 0) + row[2] * (linear[2] ?? 0))) * 255);
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0];
}

/** `rgb(1, 2, 3)` or `rgba(1, 2, 3, 1)` as the browser computes a colour. */
export function parseCssRgb(text: string): Rgb {
  const m = /^rgba?\((\d+), (\d+), (\d+)/.exec(text);
  if (m === null) throw new Error(`not an rgb() colour: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
