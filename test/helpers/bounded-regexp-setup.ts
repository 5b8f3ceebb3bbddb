// Every jest worker compiles filters the way the daemon does: with V8's linear engine on.
import { enableBoundedRegExps } from '../../src/config/regexp-engine';

enableBoundedRegExps();
