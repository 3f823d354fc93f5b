// The join screen: asks for a name, unless ?name= already gave one.
import { MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { byId } from './dom.ts';

/** Resolves with the name the player typed. */
export function askForName(suggestion = ''): Promise<string> {
  const form = byId<HTMLFormElement>('join');
  const input = byId<HTMLInputElement>('join-name');
  input.maxLength = MAX_NAME_CHARS;
  input.value = suggestion;
  form.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = input.value.trim();
      if (!name) return;
      form.hidden = true;
      resolve(name);
    });
  });
}
