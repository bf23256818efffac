/** The media plugin (declarations only; implementations load lazily). */
import { definePlugin, PLUGIN_API_VERSION } from '../../core/index.js'

export default definePlugin({
  name: 'media',
  apiVersion: PLUGIN_API_VERSION,
  setup() {},
})
