// Result details per document (holder fields, card images …) drawn under the verdict. A document module
// that shows details adds its renderer here: `(container, result, t) => void`, where it fills (or hides)
// its own container; renderers use textContent and data: URLs only, never HTML from card data.
import { renderLicenseHolder } from './license-result.js';
import { renderHolder } from './result-holder.js';
import { renderDocumentResult } from './document-result.js';
import { renderAge } from './result-age.js';

const RENDERERS = [renderAge, renderHolder, renderLicenseHolder, renderDocumentResult];

export function renderResultDetails(box, result, t) {
  while (box.childElementCount < RENDERERS.length) box.append(document.createElement('div'));
  let shown = false;
  RENDERERS.forEach((render, i) => {
    const c = box.children[i];
    render(c, result, t);
    shown ||= !c.hidden && c.childElementCount > 0;
  });
  box.hidden = !shown;
}
