// The scrolly's layout as text, with no DOM: Astro inlines it into each page at build time.

/**
 * The layout, injected once per document as the first stylesheet, every selector inside
 * `:where()`: any rule a site writes wins. Colours read the theme's `--rf-line` and
 * `--rf-highlight` (see `THEME_PROPERTIES`) and `--rf-bg`, then a site's `--bg`.
 */
export const SCROLLY_CSS = `
:where(rf-scrolly) {
  display: grid;
  grid-template-columns: minmax(0, 5fr) minmax(0, 6fr);
  column-gap: 2.5rem;
  margin: 3rem 0;
  align-items: start;
}
:where(rf-scrolly > [slot="figure"]) {
  grid-column: 2;
  grid-row: 1;
  position: sticky;
  top: var(--rf-pin-top, max(1rem, calc(50vh - 14rem)));
}
:where(rf-scrolly > [data-scrolly-steps]) {
  grid-column: 1;
  grid-row: 1;
  padding-top: var(--rf-lead, 0);
  padding-bottom: 30vh;
}
:where(rf-scrolly [data-scrolly-live]) {
  position: absolute;
  width: 1px;
  height: 1px;
  padding: 0;
  margin: -1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}
/* Tall enough that one step at a time crosses the middle of the window, short enough that the
   text beside the pinned figure reads as one column rather than islands in blank space. */
:where(rf-scrolly [data-step]) {
  min-height: 55vh;
  display: flex;
  flex-direction: column;
  justify-content: center;
  padding: 1rem 1.25rem;
  border-left: 3px solid var(--rf-line);
  transition: border-color 200ms ease;
}
:where(rf-scrolly > [slot="figure"]) {
  transition: top 300ms ease;
}
:where(rf-scrolly [data-step][aria-current="step"]) {
  border-left-color: var(--rf-highlight);
}
:where(rf-scrolly [data-step] h2) {
  font-size: 1.2rem;
  line-height: 1.3;
  margin: 0 0 0.6rem;
}
@media (max-width: 760px) {
  :where(rf-scrolly) {
    grid-template-columns: minmax(0, 1fr);
    column-gap: 0;
  }
  :where(rf-scrolly > [slot="figure"]) {
    grid-column: 1;
    top: 0;
    z-index: 2;
    box-sizing: border-box;
    max-height: var(--rf-compact-height, 50vh);
    overflow: auto;
    overscroll-behavior: contain;
    background: var(--rf-bg, var(--bg, #fdfcf9));
    border-bottom: 1px solid var(--rf-line);
    box-shadow: 0 6px 8px -6px rgb(0 0 0 / 0.25);
    padding: 0.5rem 0;
  }
  :where(rf-scrolly > [data-scrolly-steps]) {
    grid-row: 2;
    padding-top: 0;
    padding-bottom: 30vh;
  }
  :where(rf-scrolly [data-step]) {
    min-height: 45vh;
    justify-content: flex-start;
  }
}
:where(rf-scrolly [data-scrolly-steps] > [data-step]:first-child) {
  min-height: 50vh;
}
@media (prefers-reduced-motion: reduce) {
  :where(rf-scrolly [data-step]),
  :where(rf-scrolly > [slot="figure"]) {
    transition: none;
  }
}
`;
