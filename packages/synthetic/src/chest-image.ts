import type { Random } from '@radprobe/core';

/** The 14 findings of NIH ChestX-ray14, spelled as in Data_Entry_2017.csv. */
export const NIH_FINDINGS = [
  'Atelectasis',
  'Cardiomegaly',
  'Effusion',
  'Infiltration',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
  'Consolidation',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Pleural_Thickening',
  'Hernia',
] as const;
export type NihFinding = (typeof NIH_FINDINGS)[number];

/** A patient's body; follow-up images of one patient share it. Coordinates are fractions of the image side. */
export interface ChestAnatomy {
  bodyWidth: number;
  lungSpacing: number;
  lungWidth: number;
  lungHeight: number;
  lungTop: number;
  heartWidth: number;
  heartHeight: number;
  ribPhase: number;
  exposure: number;
}

export function randomAnatomy(random: Random): ChestAnatomy {
  const jitter = (center: number, spread: number) => center + spread * (2 * random.next() - 1);
  return {
    bodyWidth: jitter(0.43, 0.03),
    lungSpacing: jitter(0.19, 0.015),
    lungWidth: jitter(0.135, 0.01),
    lungHeight: jitter(0.27, 0.02),
    lungTop: jitter(0.2, 0.02),
    heartWidth: jitter(0.11, 0.01),
    heartHeight: jitter(0.09, 0.01),
    ribPhase: random.next() * 2 * Math.PI,
    exposure: jitter(1, 0.06),
  };
}

/** A gray image in [0, 1] (row-major, size × size) with the lungs marked: 0 outside, 1 image-left, 2 image-right. */
interface Canvas {
  size: number;
  pixels: Float64Array;
  lung: Uint8Array;
  anatomy: ChestAnatomy;
}

/**
 * A frontal chest radiograph caricature: body, dark lungs with rib shadows, heart, spine, plus each finding
 * drawn where and how it shows on a real film (effusion fills a lung base, cardiomegaly widens the heart, a mass
 * is a large round opacity, ...), so image content carries the labels.
 */
export function renderChest(size: number, anatomy: ChestAnatomy, findings: readonly NihFinding[], random: Random): Float64Array {
  const body = { ...anatomy };
  if (findings.includes('Cardiomegaly')) {
    body.heartWidth *= 1.9;
    body.heartHeight *= 1.5;
  }
  const emphysema = findings.includes('Emphysema');
  if (emphysema) body.lungHeight *= 1.15;
  const canvas = drawAnatomy(size, body, emphysema ? 0.08 : 0.2);
  for (const finding of findings) painters[finding]?.(canvas, random);
  for (let index = 0; index < canvas.pixels.length; index++) {
    const value = canvas.pixels[index] * anatomy.exposure + 0.02 * random.normal();
    canvas.pixels[index] = Math.min(1, Math.max(0, value));
  }
  return canvas.pixels;
}

function drawAnatomy(size: number, anatomy: ChestAnatomy, lungDensity: number): Canvas {
  const pixels = new Float64Array(size * size);
  const lung = new Uint8Array(size * size);
  const lungCenterY = anatomy.lungTop + anatomy.lungHeight;
  const heartCenterY = lungCenterY + 0.08;
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const index = y * size + x;
      let value = 0.04;
      if (ellipse(u, v, 0.5, 0.6, anatomy.bodyWidth, 0.55) < 1) value = 0.48 + 0.08 * v;
      for (const side of [1, 2]) {
        const centerX = side === 1 ? 0.5 - anatomy.lungSpacing : 0.5 + anatomy.lungSpacing;
        const insideLung = ellipse(u, v, centerX, lungCenterY, anatomy.lungWidth, anatomy.lungHeight) < 1;
        // The diaphragm cuts the lower part of each lung ellipse.
        if (insideLung && v < lungCenterY + 0.6 * anatomy.lungHeight) {
          const rib = Math.max(0, Math.sin(v * 2 * Math.PI * 9 + anatomy.ribPhase + 3 * Math.abs(u - 0.5)));
          value = lungDensity + 0.03 * rib;
          lung[index] = side;
        }
      }
      if (ellipse(u, v, 0.53, heartCenterY, anatomy.heartWidth, anatomy.heartHeight) < 1) {
        value = 0.68;
        lung[index] = 0;
      }
      if (Math.abs(u - 0.5) < 0.028 && v > 0.08 && v < 0.98) value = Math.max(value, 0.78);
      pixels[index] = value;
    }
  }
  return { size, pixels, lung, anatomy };
}

function ellipse(u: number, v: number, centerX: number, centerY: number, radiusX: number, radiusY: number): number {
  return ((u - centerX) / radiusX) ** 2 + ((v - centerY) / radiusY) ** 2;
}

/** Adds `amount` with a smooth (Gaussian-edged) falloff around a point, only where `where` holds. */
function blob(
  canvas: Canvas,
  centerX: number,
  centerY: number,
  radius: number,
  amount: number,
  where: (index: number) => boolean = () => true,
): void {
  const { size, pixels } = canvas;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const index = y * size + x;
      if (!where(index)) continue;
      const distance2 = (((x + 0.5) / size - centerX) ** 2 + ((y + 0.5) / size - centerY) ** 2) / (radius * radius);
      if (distance2 < 4) pixels[index] += amount * Math.exp(-distance2 * distance2);
    }
  }
}

/** A random point well inside one lung (side 1 or 2), in the given vertical band (0 = apex, 1 = base). */
function pointInLung(canvas: Canvas, random: Random, side: number, band: [number, number]): [number, number] {
  const { anatomy } = canvas;
  const centerX = side === 1 ? 0.5 - anatomy.lungSpacing : 0.5 + anatomy.lungSpacing;
  const top = anatomy.lungTop;
  const span = 1.6 * anatomy.lungHeight;
  const v = top + span * (band[0] + (band[1] - band[0]) * random.next());
  const u = centerX + anatomy.lungWidth * 0.5 * (2 * random.next() - 1);
  return [u, v];
}

const randomSide = (random: Random) => 1 + random.int(2);
const inLung = (canvas: Canvas, side?: number) => (index: number) =>
  side === undefined ? canvas.lung[index] > 0 : canvas.lung[index] === side;

const painters: Partial<Record<NihFinding, (canvas: Canvas, random: Random) => void>> = {
  Nodule: (canvas, random) => {
    const side = randomSide(random);
    const [u, v] = pointInLung(canvas, random, side, [0.2, 0.8]);
    blob(canvas, u, v, 0.035, 0.5);
  },
  Mass: (canvas, random) => {
    const side = randomSide(random);
    const [u, v] = pointInLung(canvas, random, side, [0.25, 0.7]);
    blob(canvas, u, v, 0.12, 0.55);
  },
  Effusion: (canvas, random) => {
    // Fluid settles in the lung base with a meniscus: everything below a curved line turns soft-tissue dense.
    const side = randomSide(random);
    const { size, pixels, anatomy } = canvas;
    const level = anatomy.lungTop + 1.6 * anatomy.lungHeight * (0.4 + 0.15 * random.next());
    for (let index = 0; index < pixels.length; index++) {
      if (canvas.lung[index] !== side) continue;
      const u = ((index % size) + 0.5) / size;
      const v = (Math.floor(index / size) + 0.5) / size;
      if (v > level - 0.6 * Math.abs(u - 0.5) + 0.1) pixels[index] = 0.62;
    }
  },
  Atelectasis: (canvas, random) => {
    const side = randomSide(random);
    const [, v] = pointInLung(canvas, random, side, [0.55, 0.75]);
    const { size, pixels } = canvas;
    for (let index = 0; index < pixels.length; index++) {
      const row = (Math.floor(index / size) + 0.5) / size;
      if (canvas.lung[index] === side && Math.abs(row - v) < 0.025) pixels[index] += 0.35;
    }
  },
  Infiltration: (canvas, random) => {
    const side = randomSide(random);
    for (let patch = 0; patch < 5; patch++) {
      const [u, v] = pointInLung(canvas, random, side, [0.2, 0.9]);
      blob(canvas, u, v, 0.03, 0.25, inLung(canvas, side));
    }
  },
  Pneumonia: (canvas, random) => {
    const side = randomSide(random);
    const [u, v] = pointInLung(canvas, random, side, [0.6, 0.85]);
    blob(canvas, u, v, 0.08, 0.35, inLung(canvas, side));
  },
  Consolidation: (canvas, random) => {
    const side = randomSide(random);
    const [u, v] = pointInLung(canvas, random, side, [0.35, 0.65]);
    blob(canvas, u, v, 0.07, 0.45, inLung(canvas, side));
  },
  Edema: (canvas) => {
    // Bilateral perihilar ("bat wing") haze.
    const { anatomy } = canvas;
    const v = anatomy.lungTop + 0.8 * anatomy.lungHeight;
    blob(canvas, 0.5 - anatomy.lungSpacing * 0.6, v, 0.1, 0.25, inLung(canvas));
    blob(canvas, 0.5 + anatomy.lungSpacing * 0.6, v, 0.1, 0.25, inLung(canvas));
  },
  Pneumothorax: (canvas, random) => {
    // Collapsed lung: the outer apex turns black with no lung markings.
    const side = randomSide(random);
    const { size, pixels, anatomy } = canvas;
    const centerX = side === 1 ? 0.5 - anatomy.lungSpacing : 0.5 + anatomy.lungSpacing;
    for (let index = 0; index < pixels.length; index++) {
      if (canvas.lung[index] !== side) continue;
      const u = ((index % size) + 0.5) / size;
      const v = (Math.floor(index / size) + 0.5) / size;
      const outward = side === 1 ? centerX - u : u - centerX;
      if (v < anatomy.lungTop + 0.9 * anatomy.lungHeight && outward > -0.2 * anatomy.lungWidth) pixels[index] = 0.03;
    }
  },
  Fibrosis: (canvas) => {
    const { size, pixels, anatomy } = canvas;
    for (let index = 0; index < pixels.length; index++) {
      if (canvas.lung[index] === 0) continue;
      const u = ((index % size) + 0.5) / size;
      const v = (Math.floor(index / size) + 0.5) / size;
      if (v > anatomy.lungTop + anatomy.lungHeight) continue;
      const mesh = Math.abs(Math.sin(u * 70)) > 0.85 || Math.abs(Math.sin(v * 70)) > 0.85;
      if (mesh) pixels[index] += 0.22;
    }
  },
  Pleural_Thickening: (canvas, random) => {
    const side = randomSide(random);
    const { size, pixels } = canvas;
    const edge = Math.max(1, Math.round(size / 40));
    const isEdge = (x: number, y: number) =>
      [-edge, edge].some((dx) => x + dx < 0 || x + dx >= size || canvas.lung[y * size + x + dx] !== side) ||
      [-edge, edge].some((dy) => y + dy < 0 || y + dy >= size || canvas.lung[(y + dy) * size + x] !== side);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) if (canvas.lung[y * size + x] === side && isEdge(x, y)) pixels[y * size + x] += 0.35;
    }
  },
  Hernia: (canvas) => {
    // Hiatal hernia: a round soft-tissue density with an air-fluid level behind the heart.
    const { anatomy } = canvas;
    const v = anatomy.lungTop + 1.45 * anatomy.lungHeight;
    blob(canvas, 0.5, v, 0.06, 0.3);
    blob(canvas, 0.5, v - 0.02, 0.025, -0.3);
  },
};
