// A view's heading, which takes focus when the view appears after a move within the page, as a
// new page would put the reader at its start. On a fresh load focus stays where the browser puts it.
import type { ComponentChildren } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import { RouterContext } from './link.tsx';

interface ViewHeadingProps {
  level: 2 | 3;
  id?: string;
  children: ComponentChildren;
}

export function ViewHeading({ level, id, children }: ViewHeadingProps) {
  const router = useContext(RouterContext);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (router?.navigated.peek()) heading.current?.focus();
  }, []);
  const Tag = level === 2 ? 'h2' : 'h3';
  return (
    <Tag ref={heading} id={id} tabIndex={-1}>
      {children}
    </Tag>
  );
}
