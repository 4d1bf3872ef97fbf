import Bowser from 'bowser';

/** A device as people name it ("Chrome on Linux") from its user agent; a generic name without one. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = Bowser.parse(userAgent);
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  return browser.name ?? os.name ?? userAgent.slice(0, 40);
}
