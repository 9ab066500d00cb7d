import { render } from 'preact';
import { PageFrame } from '../shared/page-frame.tsx';

const root = document.getElementById('app');
if (root) render(<PageFrame title="Operations" />, root);
