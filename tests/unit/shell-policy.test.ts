import { describe, expect, it } from 'vitest';
import { chooseDisplay, CONTENT_SECURITY_POLICY, isAppUrl, isPermissionAllowed } from '../../main/shell/policy';

describe('Electron host policy', () => {
  const app = 'file:///opt/classboard/resources/app.asar/out/renderer/index.html';

  it('keeps the window on the app page: other files and any web page are refused', () => {
    expect(isAppUrl(`${app}#/lesson/x`, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://example.org/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('grants full screen to the app and denies camera, microphone, geolocation and notifications', () => {
    expect(isPermissionAllowed('fullscreen', app, app)).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'midi']) expect(isPermissionAllowed(p, app, app)).toBe(false);
    expect(isPermissionAllowed('fullscreen', 'https://evil.example/', app)).toBe(false);
  });

  it('has a CSP without eval and with the media scheme allowed for media only', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain('media-src');
  });

  it('opens on the chosen display when it exists, else the primary', () => {
    const d = [{ id: 1 }, { id: 2 }];
    expect(chooseDisplay(d, d[0]!, 1)).toBe(d[1]);
    expect(chooseDisplay(d, d[0]!, 5)).toBe(d[0]);
    expect(chooseDisplay(d, d[0]!, undefined)).toBe(d[0]);
  });
});
