// ULIDs as MAS uses them for every resource ID and paging cursor: 26 Crockford base32 characters, 48 bits of
// milliseconds then 80 random bits. Monotonic within a process, so IDs sort in creation order, as MAS's lists do.
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export const ULID_PATTERN = /^[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$/

let lastTime = -1
let lastRandom = 0n

function encode(value, length) {
  let text = ''
  for (let i = 0; i < length; i++) {
    text = ALPHABET[Number(value & 31n)] + text
    value >>= 5n
  }
  return text
}

export function ulid(now = Date.now()) {
  if (now <= lastTime) {
    lastRandom += 1n // same millisecond (or a clock step back): keep the order
  } else {
    lastTime = now
    // 79 random bits: room to count up within one millisecond without overflowing 80
    lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n
  }
  return encode(BigInt(lastTime), 10) + encode(lastRandom, 16)
}

export const isUlid = (value) => typeof value === 'string' && ULID_PATTERN.test(value)
