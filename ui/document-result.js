// Result details of the residence card and the passport: what the kiosk checked and the fields the daemon
// put on screen (ResultView.residence; ResultView.checks of a passport). Residence: card kind, expiry dates,
// where the status of residence is shown, and the work restriction (never birth date, nationality or address) and the face image.
// Passport: how the chip was opened and which authenticity checks held. textContent only; PNG data URLs only.
const PNG = 'data:image/png;base64,';

export function renderDocumentResult(container, result, t) {
  container.replaceChildren();
  container.hidden = true;
  if (!result) return;
  const dl = document.createElement('dl');
  const row = (label, value) => {
    if (value == null || value === '') return;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  };
  const r = result.residence;
  if (result.document === 'residence' && r) {
    row(t(`residence.kind.${r.kind}`) ?? r.kind, t(`residence.generation.${r.generation}`));
    if (r.generation === 1 && !r.cardExpiry) row(t('residence.cardExpiry'), t('residence.expiryNotOnChip'));
    const date = (v) => (v && t.date ? t.date(v) : v);
    row(t('residence.cardExpiry'), date(r.cardExpiry));
    row(t('residence.periodOfStayExpiry'), date(r.periodOfStayExpiry));
    // The chip holds the status as a code whose table the ISA does not publish (2nd generation) or only in the
    // card-face image (1st): the screen says where it is shown, never the code (docs/reference/residence.md).
    row(t('residence.statusOfResidence'), t('residence.statusOnCardFace'));
    row(t('residence.workRestriction'), r.workRestriction ? (t(`residence.work.${r.workRestriction}`) ?? r.workRestriction) : null);
    const face = r.images?.face;
    if (typeof face === 'string' && face.startsWith(PNG)) {
      const img = document.createElement('img');
      img.src = face;
      img.alt = t('face.photo');
      container.append(img);
    }
  } else if (result.document === 'passport' && result.checks) {
    const c = result.checks;
    const status = (s) => t(`check.${s}`) ?? s;
    row(t('passport.access'), c.access);
    row(t('passport.pa'), status(c['passive-authentication']));
    row(t('passport.ca'), status(c['chip-authentication']));
    row(t('passport.aa'), status(c['active-authentication']));
  } else return;
  if (dl.childElementCount === 0 && container.childElementCount === 0) return;
  container.prepend(dl);
  container.hidden = false;
}
