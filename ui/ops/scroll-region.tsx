// A box that scrolls when its content is wider (or taller) than it. While it does, it takes
// keyboard focus and a name, so people who cannot use a mouse or trackpad can scroll it too.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

function useKeyboardScrolling<T extends HTMLElement>(label: string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => {
      const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
      if (scrolls) {
        element.tabIndex = 0;
        element.setAttribute('role', 'region');
        element.setAttribute('aria-label', label);
      } else {
        element.removeAttribute('tabindex');
        element.removeAttribute('role');
        element.removeAttribute('aria-label');
      }
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, [label]);
  return ref;
}

/** A wide table's frame: scrolls sideways on narrow screens. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  const ref = useKeyboardScrolling<HTMLDivElement>(label);
  return (
    <div class="table-scroll" ref={ref}>
      {children}
    </div>
  );
}

/** Preformatted text (JSON, a stack trace) in a box of bounded size. */
export function CodeBlock({ label, text }: { label: string; text: string }) {
  const ref = useKeyboardScrolling<HTMLPreElement>(label);
  return (
    <pre class="code-block" ref={ref}>
      {text}
    </pre>
  );
}
