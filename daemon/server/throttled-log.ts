// A log for lines a hostile client can trigger at will (refused upgrades, protocol errors, drops): at most
// `perSecond` lines a second, and the next line that gets through says how many were left out. A flood
// of bad requests must not become a flood of journal writes.

export function throttledLog(log: (line: string) => void, perSecond = 5, now: () => number = Date.now): (line: string) => void {
  let windowStart = 0;
  let inWindow = 0;
  let suppressed = 0;
  return (line) => {
    const t = now();
    if (t - windowStart >= 1000) {
      windowStart = t;
      inWindow = 0;
    }
    if (inWindow >= perSecond) {
      suppressed++;
      return;
    }
    inWindow++;
    log(suppressed ? `${line} (${suppressed} similar lines suppressed)` : line);
    suppressed = 0;
  };
}
