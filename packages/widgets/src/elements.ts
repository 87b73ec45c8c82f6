/** Side-effect entry: registers every element. `import '@receptive/widgets/elements';` */
import { defineWidgets } from './widgets.js';

defineWidgets();
