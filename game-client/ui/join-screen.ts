// The join screen: asks for a name, checked exactly as the server checks it,
// and says what is wrong instead of doing nothing. Also shown again, with the
// reason, when the server refuses a name.
import { MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { checkName, nameLength } from '../../protocol/wire/stream.ts';
import { byId } from './dom.ts';

/** Resolves with a valid name. `problem` is shown at once (e.g. why the server refused the last one). */
export function askForName(suggestion = '', problem = ''): Promise<string> {
  const form = byId<HTMLFormElement>('join');
  const input = byId<HTMLInputElement>('join-name');
  const message = byId('join-problem');
  const hint = byId('join-hint');
  input.value = suggestion;
  message.textContent = problem;
  form.hidden = false;
  input.focus();
  const showCount = () => {
    const length = nameLength(input.value);
    hint.textContent = `${length} / ${MAX_NAME_CHARS} characters`;
    hint.classList.toggle('over', length > MAX_NAME_CHARS);
  };
  showCount();
  input.oninput = () => {
    showCount();
    message.textContent = '';
  };
  return new Promise((resolve) => {
    form.onsubmit = (event) => {
      event.preventDefault();
      const checked = checkName(input.value);
      if (!checked.ok) {
        message.textContent = checked.message;
        input.focus();
        return;
      }
      form.hidden = true;
      form.onsubmit = null;
      input.oninput = null;
      resolve(checked.name);
    };
  });
}
