/**
 * Every visual constant of the renderers, in one place: sizes in world units, colours as
 * 0xRRGGBB, timings in milliseconds. Views read these; nothing else hard-codes a look.
 */
export const THEME = {
  /** Side of one activation texel in world units: a 28x28 map is 2.8 units wide. */
  texel: 0.1,
  /** Depth between two channel planes of a stack. */
  channelGap: 0.22,
  /** Texel side of the dense column and the softmax bars, so ten values stay readable. */
  vectorTexel: 0.22,
  /** Horizontal space between two layers of the network row. */
  layerGap: 1.3,
  /** Longest softmax bar (probability 1). */
  barLength: 1.6,
  /** Background of every view. */
  background: 0xf7f6f2,
  /** Text on labels and legends. */
  ink: '#1d1d1f',
  /** Outline of a hovered or highlighted texel. */
  highlight: 0xff2d55,
  /** Receptive-field boxes and their frustum lines. */
  beam: 0xff7a00,
  beamOpacity: 0.28,
  /** Output cells the sliding kernel has not reached yet. */
  emptyCell: [226, 224, 218] as const,
  /** Softmax bars: every class, and the predicted one. */
  bar: 0x8e8e93,
  barWinner: 0x0a84ff,
  /** Legend and caption textures, in canvas pixels (drawn at twice the size they show). */
  legendPixels: [256, 64] as const,
  /** Narrowest legend in world units; a wider stack gets a legend as wide as itself. */
  legendMinWidth: 1.8,
  /** Space between a stack's bottom edge and its legend. */
  legendGap: 0.18,
  font: '600 15px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  smallFont: '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  /** Vertical field of view of every perspective camera, in degrees. */
  fov: 35,
  /** Camera moves between presets take this long (instant under prefers-reduced-motion). */
  cameraMs: 700,
  /** Device-pixel ratio is capped here unless a view asks for another cap. */
  maxPixelRatio: 2,
  /** A pointer that moved less than this between down and up was a click, not an orbit. */
  clickSlopPx: 4,
} as const;
