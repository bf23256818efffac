// Types for client.mjs.

/** What the helpers need to reach a homeserver. */
export interface MatrixServer {
  url: string
  adminToken?: string
  /** When absent, users are created through the admin API and a login. */
  registrationSharedSecret?: string | null
}

export interface MatrixError extends Error {
  status: number
  errcode?: string
}

export interface RequestOptions {
  token?: string
  body?: unknown
  contentType?: string
  query?: Record<string, string | number | boolean>
}

export interface RegisteredUser {
  userId: string
  token: string
  password: string
}

export interface RegisterOptions {
  admin?: boolean
  password?: string
  displayname?: string
}

export interface CreateRoomOptions {
  name?: string
  /** Local part of the alias (`room_alias_name`). */
  alias?: string
  preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat'
  invite?: string[]
  isPublic?: boolean
}

export interface RegistrationTokenOptions {
  token?: string
  usesAllowed?: number | null
  expiryTime?: number | null
  length?: number
}

export function matrixRequest<T = any>(
  server: MatrixServer,
  method: string,
  path: string,
  options?: RequestOptions,
): Promise<T>
export function login(server: MatrixServer, user: string, password: string): Promise<string>
export function registerUser(server: MatrixServer, localpart: string, options?: RegisterOptions): Promise<RegisteredUser>
export function createRoom(server: MatrixServer, token: string, options?: CreateRoomOptions): Promise<string>
export function joinRoom(server: MatrixServer, token: string, roomIdOrAlias: string): Promise<string>
export function sendMessage(server: MatrixServer, token: string, roomId: string, body: string): Promise<string>
export function uploadMedia(server: MatrixServer, token: string, bytes: Uint8Array, contentType?: string): Promise<string>
export function reportEvent(server: MatrixServer, token: string, roomId: string, eventId: string, reason?: string): Promise<void>
export function reportUser(server: MatrixServer, token: string, userId: string, reason?: string): Promise<boolean>
export function createRegistrationToken(server: MatrixServer, options?: RegistrationTokenOptions): Promise<string>
