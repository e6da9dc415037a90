// "Scoring is under way": ask the server every few seconds whether the result is ready and,
// when it is, load the page again so that the result shows without a manual reload.
// An external module, because the Content Security Policy allows no inline scripts. Without
// JavaScript the page keeps its "Check whether the result is ready" link.
const panel = document.querySelector('[data-scoring-status-url]')

if (panel) {
  const url = panel.getAttribute('data-scoring-status-url')
  const message = document.getElementById('scoring-status-message')
  let delay = 1500
  let tries = 0

  const check = async () => {
    tries += 1
    try {
      const response = await fetch(url, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store'
      })
      if (response.ok) {
        const status = await response.json()
        if (status.state === 'ready') {
          if (message) message.textContent = 'The result is ready. Loading it now.'
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // A dropped connection: try again later.
    }
    if (tries === 10 && message) {
      message.textContent = 'Scoring is taking longer than usual. This page keeps checking.'
    }
    delay = Math.min(delay * 1.3, 10000)
    window.setTimeout(check, delay)
  }

  window.setTimeout(check, delay)
}
