import { useRef, useState, type ChangeEvent, type CompositionEvent } from 'react';

/**
 * A search box's text and the query to search for. While an input method is
 * composing (pinyin "fen'shu" on the way to 分数) the query stays what it was: the
 * letters are not yet the word, and searching them showed “没有找到”. Spread `bind`
 * on the <input>.
 */
export function useSearchText() {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const composing = useRef(false);
  const set = (value: string) => {
    setText(value);
    setQuery(value);
  };
  const bind = {
    value: text,
    onChange: (e: ChangeEvent<HTMLInputElement>) => {
      setText(e.target.value);
      if (!composing.current && !(e.nativeEvent as InputEvent).isComposing) setQuery(e.target.value);
    },
    onCompositionStart: () => {
      composing.current = true;
    },
    // The chosen characters: Chromium's last input event may come before this one, still marked composing.
    onCompositionEnd: (e: CompositionEvent<HTMLInputElement>) => {
      composing.current = false;
      set(e.currentTarget.value);
    },
  };
  return { text, query, set, bind };
}
