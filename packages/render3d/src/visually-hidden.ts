/** Hides `el` from sight but not from screen readers (a figure's description, help, live region). */
export function visuallyHidden<E extends HTMLElement>(el: E): E {
  Object.assign(el.style, {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  });
  return el;
}
