/** Every CLI command, one file each. A command file exports `register(program)`. */
import type { Command } from 'commander';
import { register as daemon } from './daemon';
import { register as replay } from './replay';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [daemon, replay];
