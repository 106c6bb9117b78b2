// GET /admin/whatsapp: the WhatsApp (Baileys) link's state and the QR code to pair a phone, for a
// logged-in admin of the console on the server itself (whoever scans the QR owns the
// municipality's WhatsApp line). The channel only reports its state; main.ts mounts this page
// when the channel runs.
import express, { type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import { escapeHtml } from '../http/html.ts';
import { isLoopbackAddress } from '../http/loopback.ts';
import type { Logger } from '../log.ts';
import { requireAgent } from './auth.ts';

/** What the page shows of the link; the channel's `linkStatus` has this shape (main.ts checks it when it wires them). */
export interface WhatsAppLinkStatus {
  state: 'starting' | 'qr' | 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'elsewhere';
  /** The QR code to scan, while `state` is 'qr'. */
  qr?: string;
  since: Date;
  attempts: number;
  lastClose?: string;
  account?: string;
}

export interface WhatsAppLink {
  readonly linkStatus: Readonly<WhatsAppLinkStatus>;
  /** Several instances: the one connected to WhatsApp when it is another (its name: host and port, or INSTANCE_NAME). */
  sessionElsewhere?(): Promise<string | undefined>;
}

const STATE_TEXT: Record<WhatsAppLinkStatus['state'], string> = {
  starting: 'Başlatılıyor…',
  qr: 'Eşleştirme bekleniyor: QR kodunu telefonunuzla okutun.',
  connecting: 'Bağlanıyor…',
  open: 'Bağlı: WhatsApp mesajları yanıtlanıyor.',
  reconnecting: 'Bağlantı koptu, yeniden bağlanılıyor…',
  stopped: 'Durduruldu.',
  elsewhere: 'WhatsApp oturumu başka bir Çözüm sunucusunda açık.',
};

export function whatsappLinkRouter(link: WhatsAppLink, logger: Logger): Router {
  const router = express.Router();
  router.get('/admin/whatsapp', requireAgent('admin'), async (request: Request, response: Response) => {
    // `request.ip` honours X-Forwarded-For only from a proxy on loopback ('trust proxy' setting),
    // so a request relayed by a local reverse proxy counts as the remote client it came from.
    if (!isLoopbackAddress(request.ip)) {
      logger.warn('WhatsApp admin page refused a request from outside this machine');
      return void response.status(403).json({ error: 'Bu sayfa yalnızca sunucunun kendisinden açılabilir.' });
    }
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
    // Several instances: the session (and its QR code) is on the one that holds it; this page says which.
    const heldBy = await link.sessionElsewhere?.();
    const status: Readonly<WhatsAppLinkStatus> = heldBy ? { state: 'elsewhere', since: link.linkStatus.since, attempts: 0 } : link.linkStatus;
    if (request.accepts(['html', 'json']) === 'json') {
      return void response.json({ state: status.state, since: status.since.toISOString(), attempts: status.attempts, lastClose: status.lastClose ?? null, qr: status.qr ?? null, heldBy: heldBy ?? null });
    }
    const qrSvg = status.qr ? await QRCode.toString(status.qr, { type: 'svg', margin: 2, width: 320 }) : '';
    response.type('html').send(linkPage(status, qrSvg, heldBy));
  });
  return router;
}

function linkPage(status: Readonly<WhatsAppLinkStatus>, qrSvg: string, heldBy?: string): string {
  const rows = [
    `<p class="state state--${status.state}"><strong>${escapeHtml(STATE_TEXT[status.state])}</strong></p>`,
    heldBy ? `<p>Oturumu tutan sunucu: <code>${escapeHtml(heldBy)}</code>. Durumu ve eşleştirme kodunu görmek için bu sayfayı o sunucuda açın.</p>` : '',
    status.account && status.state === 'open' ? `<p>Bağlı hesap: ${escapeHtml(status.account)}</p>` : '',
    status.lastClose && status.state !== 'open' ? `<p>Son kopma nedeni: ${escapeHtml(status.lastClose)}</p>` : '',
    status.attempts > 0 ? `<p>Yeniden bağlanma denemesi: ${status.attempts}</p>` : '',
  ];
  const pairing = qrSvg
    ? `<figure>${qrSvg}<figcaption>Telefonunuzda WhatsApp › Ayarlar › Bağlı cihazlar › Cihaz bağla, sonra bu kodu okutun. Kod yaklaşık 20 saniyede yenilenir; sayfa kendini günceller.</figcaption></figure>`
    : '';
  return `<!doctype html>
<html lang="tr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${status.state === 'open' ? 30 : 5}">
<title>WhatsApp bağlantısı · Çözüm</title>
<style>body{font:17px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#1c2421}figure{margin:1em 0}svg{width:320px;max-width:100%;height:auto;border:1px solid #ccc}.state--open{color:#0b6e4f}.state--reconnecting{color:#a64b00}</style>
</head>
<body>
<h1>WhatsApp bağlantısı</h1>
${rows.filter(Boolean).join('\n')}
${pairing}
<p><small>Bu sayfa yalnızca sunucunun kendisinden açılır. / This page answers only on the server itself.</small></p>
</body>
</html>`;
}
