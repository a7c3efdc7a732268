// The two DOM helpers every screen module uses: look an element up by id, and set its text (textContent
// only: card data is never parsed as HTML).

/** @param {string} id */
export const $ = (id) => document.getElementById(id);

/** Sets the element's text; null or undefined clears it. */
export function text(id, value) {
  $(id).textContent = value ?? '';
}
