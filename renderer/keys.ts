// Keys pressed in a form field (typing a class name, choosing a weekday) belong to
// the field, not to the board's shortcuts. A slider or a checkbox is not such a field:
// after tapping a video's scrubber the clicker must still work.
const CLICKED = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

export function isFormField(target: EventTarget | null): target is HTMLElement {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA') return true;
  return target.tagName === 'INPUT' && !CLICKED.has((target as HTMLInputElement).type);
}
