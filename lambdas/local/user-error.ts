/** Re-exported from its neutral place (app/user-error.ts), so the CLI's imports stay as they were. */
export { UserError } from '../app/user-error';
