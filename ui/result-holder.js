// Result details of the My Number modes: holder fields (never the My Number) and the 券面AP images.
// Text goes in with textContent only (card data is never parsed as HTML); images only as PNG data URLs.
// A JIS X 0208 substitute form is shown next to the original when the daemon made one, so the clerk sees
// both the exact characters (e.g. 𠮷, 髙) and what a JIS-only system would print.
export function renderHolder(container, result, t) {
  container.replaceChildren();
  container.hidden = true;
  if (!result) return;
  const h = result.holder;
  const f = result.cardFace;
  if (!h && !f) return;
  const dl = document.createElement('dl');
  const row = (label, value, extra) => {
    if (value == null) return;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.lang = 'ja'; // card data: Japanese glyph forms whatever the screen language
    dd.textContent = value;
    if (extra) {
      const s = document.createElement('small');
      s.textContent = ` (${t('holder.jisX0208')}: ${extra})`;
      dd.append(s);
    }
    dl.append(dt, dd);
  };
  if (h) {
    row(t('holder.name'), h.name, h.nameJisX0208);
    row(t('holder.address'), h.address, h.addressJisX0208);
    row(t('holder.dateOfBirth'), h.dateOfBirth && t.date ? t.date(h.dateOfBirth) : h.dateOfBirth);
    row(t('holder.sex'), h.sex ? (t(`holder.sex.${h.sex}`) ?? h.sex) : null);
  }
  const img = (b64, alt) => {
    const i = document.createElement('img');
    i.src = `data:image/png;base64,${b64}`;
    i.alt = alt;
    return i;
  };
  if (f) {
    if (f.facePng) container.append(img(f.facePng, t('face.photo')));
    else if (f.faceStatus === 'not-decoded') {
      const p = document.createElement('p');
      p.textContent = t('face.notDecoded');
      container.append(p);
    }
    if (f.nameImagePng) container.append(img(f.nameImagePng, t('holder.name')));
    if (f.addressImagePng) container.append(img(f.addressImagePng, t('holder.address')));
  }
  container.prepend(dl);
  container.hidden = false;
}
