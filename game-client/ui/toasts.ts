// Short notices that fade by themselves (CSS animation), e.g. "bob scored".
import { byId, textElement } from './dom.ts';

const TOAST_LIFETIME_MS = 2_300;
const MAX_TOASTS = 4;

export function showToast(text: string): void {
  const container = byId('toasts');
  const toast = textElement('div', 'toast', text);
  container.append(toast);
  while (container.children.length > MAX_TOASTS) container.firstElementChild?.remove();
  setTimeout(() => toast.remove(), TOAST_LIFETIME_MS);
}
