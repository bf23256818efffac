/** The group plugin (declarations only; implementations load lazily). */
import { definePlugin, PLUGIN_API_VERSION } from '../../core/index.js'

export default definePlugin({
  name: 'group',
  apiVersion: PLUGIN_API_VERSION,
  setup() {},
})
