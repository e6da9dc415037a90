// A national re-score's progress, kept up to date without reloading the page.
// External module: the Content Security Policy allows no inline scripts.
const box = document.querySelector('[data-rescore-status-url]')

if (box && !box.hasAttribute('data-finished')) {
  const url = box.getAttribute('data-rescore-status-url')
  const bar = box.querySelector('progress')

  const update = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      if (response.ok) {
        const status = await response.json()
        for (const element of document.querySelectorAll('[data-field]')) {
          const name = element.getAttribute('data-field')
          if (name in status) element.textContent = String(status[name])
        }
        if (bar) {
          bar.max = Math.max(status.total_chunks, 1)
          bar.value = status.total_chunks ? status.done_chunks : 1
        }
        if (status.finished) {
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // Try again at the next tick.
    }
    window.setTimeout(update, 2000)
  }

  window.setTimeout(update, 2000)
}
