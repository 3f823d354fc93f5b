// The chat box: Enter opens the input, Enter sends, Esc leaves it. Lines
// are always text (textContent), so markup in a message is shown, not run.
import { CHAT_HISTORY_LINES } from '../../protocol/constants.ts';
import { byId, textElement } from './dom.ts';

export interface ChatBox {
  /** A player's line; `history` marks lines from before we (re)joined. */
  addLine(name: string, text: string, history?: boolean): void;
  addNotice(text: string): void;
  /** True while the player is typing (movement keys must not move). */
  readonly typing: boolean;
}

export function createChatBox(send: (text: string) => void, onTypingChange: (typing: boolean) => void): ChatBox {
  const root = byId('chat');
  const log = byId<HTMLUListElement>('chat-log');
  const input = byId<HTMLInputElement>('chat-input');
  const hint = byId('chat-hint');
  root.hidden = false;
  let typing = false;

  const setTyping = (value: boolean) => {
    typing = value;
    input.hidden = !value;
    hint.hidden = value;
    if (value) input.focus();
    else {
      input.value = '';
      input.blur();
    }
    onTypingChange(value);
  };

  // Enter opens the chat only when it is meant for the game: not typed into
  // another field (the join screen's name, which Enter submits; a network
  // panel number), and not while the game is hidden behind the join screen
  // (the hidden input cannot take focus, and the chat would stay stuck open).
  const enterIsForChat = (event: KeyboardEvent) =>
    !(event.target instanceof Element && event.target.closest('input, textarea, select')) && root.checkVisibility();
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !typing && enterIsForChat(event)) {
      event.preventDefault();
      setTyping(true);
    }
  });
  input.addEventListener('keydown', (event) => {
    // Keep keys typed here away from the game's keyboard handler.
    event.stopPropagation();
    if (event.key === 'Enter') {
      const text = input.value.trim();
      if (text) send(text);
      setTyping(false);
    } else if (event.key === 'Escape') {
      setTyping(false);
    }
  });
  input.addEventListener('keyup', (event) => event.stopPropagation());
  input.addEventListener('blur', () => typing && setTyping(false));

  const append = (item: HTMLLIElement) => {
    log.append(item);
    while (log.children.length > CHAT_HISTORY_LINES) log.firstElementChild?.remove();
  };

  return {
    addLine(name, text, history = false) {
      const item = textElement('li', history ? 'history' : '', '');
      item.append(textElement('span', 'who', name), document.createTextNode(text));
      append(item);
    },
    addNotice(text) {
      append(textElement('li', 'notice', text));
    },
    get typing() {
      return typing;
    },
  };
}
