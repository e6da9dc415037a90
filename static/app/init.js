// Starts GOV.UK Frontend's JavaScript components (service navigation toggle,
// notification banners, skip link and so on). Loaded as an external module so
// that the Content Security Policy needs no inline scripts beyond the single
// nonce'd one in base.html that adds the `js-enabled` class.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
