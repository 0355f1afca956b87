/** Debian's Chromium; nothing here downloads a browser. */
export const CHROMIUM = process.env.FACEGATE_CHROMIUM ?? '/usr/bin/chromium';

/** Without the background-networking flags Chromium calls Google hosts at start. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
];
