/**
 * uPlot's own stylesheet (uplot/dist/uPlot.min.css, MIT): the rules every figure that plots with
 * it uses. A figure adds those of the cursor and the selection it shows or hides.
 */
export const UPLOT_CSS = `
.uplot, .uplot *, .uplot *::before, .uplot *::after { box-sizing: border-box; }
.uplot { font-family: inherit; line-height: 1.5; width: min-content; }
.u-wrap { position: relative; user-select: none; }
.u-over, .u-under { position: absolute; }
.u-under { overflow: hidden; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.u-axis { position: absolute; }
`;
