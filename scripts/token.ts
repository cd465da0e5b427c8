/** `npm run token -- <user-id>`: a development JWT (HS256, JWT_SECRET, sub = user id, 24 h by default). */
import { signUserToken } from '../api/middleware/auth';
import { loadConfig, onConfigError } from '../platform/config';
import { SYSTEM_USER_ID } from '../contract/tasks';

const userId = process.argv[2];
if (!userId || userId.startsWith('-') || userId.length > 128 || userId === SYSTEM_USER_ID) {
  process.stderr.write(`usage: npm run token -- <user-id>   (not "${SYSTEM_USER_ID}": the service's own tasks run as it)\n`);
  process.exit(2);
}
const config = onConfigError(loadConfig, (line) => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
});
if (config.jwtSecretIsDefault) process.stderr.write('note: signed with the development JWT_SECRET\n');
process.stdout.write(signUserToken(config, userId, config.jwtTtlSeconds) + '\n');
