// Links between the dashboard's views change the view without reloading the page; a click with a
// modifier key (new tab, new window) is left to the browser.
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { Router } from './router.ts';

export const RouterContext = createContext<Router | null>(null);

interface LinkProps {
  href: string;
  class?: string;
  'aria-current'?: 'page' | undefined;
  children: ComponentChildren;
}

export function Link({ href, children, ...rest }: LinkProps) {
  const router = useContext(RouterContext);
  const onClick = (event: MouseEvent) => {
    if (!router || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    router.navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
