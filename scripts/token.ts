/** `npm run token -- <user-id>`: a development JWT (HS256, JWT_SECRET, sub = user id, 24 h by default). */
import jwt from 'jsonwebtoken';
import { loadConfigOrExit } from '../core/config';

const userId = process.argv[2];
if (!userId || userId.startsWith('-') || userId.length > 128) {
  process.stderr.write('usage: npm run token -- <user-id>\n');
  process.exit(2);
}
const config = loadConfigOrExit();
if (config.jwtSecretIsDefault) process.stderr.write('note: signed with the development JWT_SECRET\n');
process.stdout.write(jwt.sign({ sub: userId }, config.jwtSecret, { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds }) + '\n');
