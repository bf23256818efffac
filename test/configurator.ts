// The questions `synadm config` asks in a terminal, in the order it asks them (core/commands/actions.ts): the
// tests that drive the configurator (in-process, in tmux) answer them through this one list, so a question
// added to the configurator is added here once.

/** Waits for the question, then types the answer (none: Enter takes the default). */
export type Answer = (question: RegExp, typed?: string) => Promise<unknown>

export interface ConfiguratorAnswers {
  user: string
  token: string
  baseUrl: string
  /** the server name; none takes the default */
  homeserver?: string
  /** a named profile (-S NAME) is asked whether it is production; the default file is not */
  production?: boolean
}

export async function answerConfigurator(answer: Answer, o: ConfiguratorAnswers): Promise<void> {
  await answer(/Synapse admin user name/, o.user)
  await answer(/Where does the access token come from/)
  await answer(/admin user token/, o.token)
  await answer(/Synapse base URL/, o.baseUrl)
  await answer(/Admin API path/)
  await answer(/Matrix API path/)
  await answer(/Default output format/)
  await answer(/http timeout/)
  await answer(/Server discovery/)
  await answer(/Homeserver name/, o.homeserver)
  await answer(/Verify TLS certificates/)
  if (o.production !== undefined) await answer(/a production server\?/, o.production ? 'y' : 'n')
  await answer(/MAS URL/)
  await answer(/MAS client ID/)
}
