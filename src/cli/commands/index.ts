/** Every CLI command, one file each. A command file exports `register(program)`. */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
