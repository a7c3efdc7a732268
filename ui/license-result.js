// Result details of the licence flow (ResultView.licenseHolder): the current name and address, with 外字
// drawn as the PNG images the daemon made from the licence's EF03 bitmaps, and the photo in the mode that
// discloses it. Text only through textContent; images only as PNG data URLs.
export function renderLicenseHolder(container, result, t) {
  container.replaceChildren();
  container.hidden = true;
  const h = result?.licenseHolder;
  if (!h) return;
  const line = (runs) => {
    const dd = document.createElement('dd');
    dd.lang = 'ja'; // card data: Japanese glyph forms whatever the screen language
    for (const r of runs) {
      if ('glyph' in r && typeof r.glyph === 'string' && r.glyph.startsWith('data:image/png;base64,')) {
        const img = document.createElement('img');
        img.src = r.glyph;
        img.alt = r.alt;
        img.className = 'gaiji';
        img.style.height = '1em';
        img.style.verticalAlign = 'text-bottom';
        dd.append(img);
      } else dd.append(document.createTextNode(r.text ?? ''));
    }
    return dd;
  };
  const dl = document.createElement('dl');
  const row = (label, dd, note) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    if (note) {
      const s = document.createElement('small');
      s.textContent = ` (${note})`;
      dd.append(s);
    }
    dl.append(dt, dd);
  };
  row(t('license.name'), line(h.name), h.nameChanged ? t('license.nameChanged') : null);
  row(t('license.address'), line(h.address), h.addressChanged ? t('license.addressChanged') : null);
  row(t('license.expiry'), line([{ text: h.expiryDate && t.date ? t.date(h.expiryDate) : h.expiryDate }]));
  container.append(dl);
  if (h.photo === null) {
    const p = document.createElement('p');
    p.textContent = t('license.photoNotDecoded');
    container.append(p);
  } else if (typeof h.photo === 'string' && h.photo.startsWith('data:image/png;base64,')) {
    const img = document.createElement('img');
    img.src = h.photo;
    img.alt = t('license.photo');
    container.append(img);
  }
  container.hidden = false;
}
