import { WebhookCheck } from './report';

export function requestAuthentication(c: WebhookCheck): void {
  void c;
}

export function peerAuthentication(c: WebhookCheck): void {
  void c;
}
