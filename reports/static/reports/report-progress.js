// An area report's progress, kept up to date without reloading the page until it is ready.
// External module: the Content Security Policy allows no inline scripts.
const box = document.querySelector('[data-report-status-url]')

if (box) {
  const url = box.getAttribute('data-report-status-url')
  const bar = box.querySelector('progress')

  const update = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      if (response.ok) {
        const status = await response.json()
        for (const element of box.querySelectorAll('[data-field]')) {
          const name = element.getAttribute('data-field')
          if (name in status && status[name] !== '') element.textContent = String(status[name])
        }
        if (bar) bar.value = status.progress
        if (status.finished) {
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // Try again at the next tick.
    }
    window.setTimeout(update, 1500)
  }

  window.setTimeout(update, 1500)
}
