// Browser tests exercise the pages as the Worker serves them: from a fresh production build.
import { buildUi } from '../../local/ui-build.ts';

export default buildUi;
