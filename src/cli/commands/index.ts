/** Every CLI command, one file each. A command file exports `register(program)`. */
import type { Command } from 'commander';
import { register as ban } from './ban';
import { register as check } from './check';
import { register as daemon } from './daemon';
import { register as list } from './list';
import { register as reload } from './reload';
import { register as replay } from './replay';
import { register as status } from './status';
import { register as unban } from './unban';
import { register as why } from './why';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [daemon, status, list, ban, unban, why, reload, check, replay];
