/**
 * Every visual constant of the renderers, in one place: sizes in world units, colours as
 * 0xRRGGBB, timings in milliseconds. Views read these; nothing else hard-codes a look.
 */
export const THEME = {
  /** Side of one activation texel in world units: a 28x28 map is 2.8 units wide. */
  texel: 0.1,
  /** Depth between two channel planes of a stack (at least; see `channelGapShare`). */
  channelGap: 0.22,
  /**
   * In the network view, channel planes stand this share of their side apart, so a stack reads
   * as separate channels rather than one block.
   */
  channelGapShare: 0.3,
  /** ... and a whole stack is never deeper than this many sides. */
  stackDepthShare: 1.2,
  /**
   * A layer's camera preset fans its channels out into a grid, every channel whole: planes
   * `fanSpace` of a side apart, each `fanDepth` sides behind the one before, the grid lifted
   * `fanLift` sides towards the camera, in front of its neighbours.
   */
  fanSpace: 0.12,
  fanDepth: 0.02,
  fanLift: 1.5,
  /** Texel side of the dense column and the softmax bars, so ten values stay readable. */
  vectorTexel: 0.28,
  /** In the network view, no feature map is drawn narrower than this (a 5 x 5 map after two
   * poolings stays a readable grid). */
  leastMapSide: 1.45,
  /** Horizontal space between two layers of the network row. */
  layerGap: 1.3,
  /** Vertical space between two rows of layers (room for their labels), and the most rows. */
  rowGap: 1.6,
  maxRows: 3,
  /** Longest softmax bar (probability 1). */
  barLength: 1.6,
  /** Row height of the network view's softmax bars: ten rows about as tall as the input. */
  softmaxRow: 0.42,
  /** Outline of every channel plane (and grid of small ones), so a blank map still shows. */
  outline: 0xa9a59a,
  /**
   * Background of every view: a shade darker than the paper white of a blank feature map, so
   * a map of zeros still reads as a sheet against it.
   */
  background: 0xe8e6df,
  /** Text on labels and legends. */
  ink: '#1d1d1f',
  /** Outline of a hovered or highlighted texel. */
  highlight: 0xff2d55,
  /** Receptive-field boxes and their frustum lines. */
  beam: 0xff7a00,
  beamOpacity: 0.28,
  /** Output cells the sliding kernel has not reached yet. */
  emptyCell: [226, 224, 218] as const,
  /** Softmax bars: the track each runs along (blank paper), every class, the predicted one. */
  barTrack: 0xffffff,
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
  /** HTML labels over the 3D views: font, least size in CSS pixels, least gap between two. */
  labelFont: '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  labelMinPx: 12,
  labelSpacePx: 8,
  /** Vertical field of view of every perspective camera, in degrees. */
  fov: 35,
  /** Camera moves between presets take this long (instant under prefers-reduced-motion). */
  cameraMs: 700,
  /** Device-pixel ratio is capped here unless a view asks for another cap. */
  maxPixelRatio: 2,
  /** A pointer that moved less than this between down and up was a click, not an orbit. */
  clickSlopPx: 4,
} as const;
