// Age policies (age-20, age-18 …): the only answer the screen gets is "N or older: yes/no" — the daemon
// never sends the birth date. Drawn large so staff can read it from the counter.
export function renderAge(container, result, t) {
  container.replaceChildren();
  container.hidden = true;
  const age = result?.policy?.age;
  if (!age || typeof age.threshold !== 'number') return;
  const answer = age.over === true ? 'yes' : age.over === false ? 'no' : 'none';
  const p = document.createElement('p');
  p.className = `age-answer age-${answer}`;
  p.textContent = t(`age.${answer}`, { age: age.threshold });
  container.append(p);
  container.hidden = false;
}
