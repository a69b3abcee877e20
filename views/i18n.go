package views

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
)

// msg is one piece of interface text in every language the pages speak.
type msg struct{ en, nl string }

// messages is the interface text of the employee-facing pages, by id.
// Templates look texts up with tr and trf; i18n_test.go checks that every
// id they use is here with both languages, and that every entry is used.
//
// Entries under "given." are English texts that handlers and the domain
// hand to the views (page titles, headings, error messages): trGiven
// translates them by their English wording, and the test checks that the
// wording still occurs in the code outside views.
var messages = map[string]msg{
	// Layout.
	"layout.skip":           {"Skip to content", "Naar de inhoud"},
	"layout.demo":           {"Demo sign-in is on.", "Demo-inloggen staat aan."},
	"layout.demo-more":      {"Anyone can sign in as a demo person; connect your identity provider before real use.", "Iedereen kan inloggen als demopersoon; koppel je identiteitsprovider voordat het portaal echt in gebruik gaat."},
	"layout.nav":            {"Main", "Hoofdmenu"},
	"layout.sign-out":       {"Sign out", "Uitloggen"},
	"layout.sign-in":        {"Sign in", "Inloggen"},
	"layout.footer":         {"Sharing is voluntary. The portal never reads or posts to your personal accounts; it only opens each network's own share page.", "Delen is vrijwillig. Het portaal leest of post nooit iets op je persoonlijke accounts; het opent alleen de eigen deelpagina van elk netwerk."},
	"nav.feed":              {"Feed", "Feed"},
	"nav.training":          {"Training", "Training"},
	"nav.conduct":           {"Code of conduct", "Gedragscode"},
	"nav.my-reach":          {"My reach", "Mijn bereik"},
	"nav.posts":             {"Content", "Content"},
	"nav.reach":             {"Reach", "Bereik"},
	"nav.hr":                {"HR", "HR"},
	"nav.admin":             {"Admin", "Beheer"},
	"nav.profile":           {"Profile", "Profiel"},
	"training.conduct-hint": {"The ground rules for talking about the company online. Read it and acknowledge the current version before you share.", "De spelregels voor praten over het bedrijf online. Lees hem en bevestig de huidige versie voordat je deelt."},
	"error.status":          {"Error %s", "Fout %s"},
	"error.home":            {"Go to the start page", "Naar de startpagina"},
	"status.400":            {"400 · Bad request", "400 · Ongeldig verzoek"},
	"status.401":            {"401 · Sign-in needed", "401 · Inloggen nodig"},
	"status.403":            {"403 · Not allowed", "403 · Niet toegestaan"},
	"status.404":            {"404 · Not found", "404 · Niet gevonden"},
	"status.405":            {"405 · Not allowed here", "405 · Hier niet toegestaan"},
	"status.409":            {"409 · Conflict", "409 · Conflict"},
	"status.413":            {"413 · Too large", "413 · Te groot"},
	"status.422":            {"422 · Cannot accept this", "422 · Kan dit niet aannemen"},
	"status.500":            {"500 · Server error", "500 · Serverfout"},

	// Home and sign-in.
	"home.title":      {"Share company news with confidence", "Deel bedrijfsnieuws met een gerust gevoel"},
	"home.lead":       {"Read the social media code of conduct, pass a short quiz, and share approved posts with your own network in one click. Every share gets its own tracked link, so you can see the reach you created.", "Lees de gedragscode voor sociale media, haal een korte quiz en deel goedgekeurde posts met één klik met je eigen netwerk. Elke keer dat je deelt, krijg je een eigen trackinglink, zodat je ziet welk bereik je hebt opgebouwd."},
	"home.sign-in":    {"Sign in with your company account", "Inloggen met je bedrijfsaccount"},
	"home.how":        {"How it works", "Zo werkt het"},
	"home.step1":      {"Read the code of conduct", "Lees de gedragscode"},
	"home.step1-more": {"What to share, what never to share, and whom to call when something goes wrong.", "Wat je deelt, wat je nooit deelt en wie je belt als er iets misgaat."},
	"home.step2":      {"Pass the training", "Haal de training"},
	"home.step2-more": {"Short modules, each with a quiz that explains every answer.", "Korte modules, elk met een quiz die elk antwoord uitlegt."},
	"home.step3":      {"Share approved posts", "Deel goedgekeurde posts"},
	"home.step3-more": {"In your own words, on the networks you already use. Nothing is posted for you.", "In je eigen woorden, op de netwerken die je al gebruikt. Er wordt nooit iets namens jou gepost."},
	"home.step4":      {"See your reach", "Bekijk je bereik"},
	"home.step4-more": {"Clicks on your links, counted without tracking anyone.", "Klikken op je links, geteld zonder iemand te volgen."},
	"login.demo":      {"This portal runs in ", "Dit portaal draait in "},
	"login.demo-mode": {"demo mode", "demomodus"},
	"login.demo-more": {": no company identity provider is connected, so a built-in demo provider stands in for it. You will pick one of the demo company's people; nothing is checked.", ": er is geen identiteitsprovider van het bedrijf gekoppeld, dus een ingebouwde demoprovider neemt die taak over. Je kiest een van de mensen van het demobedrijf; er wordt niets gecontroleerd."},
	"login.company":   {"Use your company account. You will come back here once your identity provider has signed you in.", "Gebruik je bedrijfsaccount. Je komt hier terug zodra je identiteitsprovider je heeft ingelogd."},
	"login.continue":  {"Continue with %s", "Doorgaan met %s"},

	// Code of conduct.
	"conduct.version":        {"Version %s · in effect from %s", "Versie %s · geldt vanaf %s"},
	"conduct.changed":        {"The code of conduct has changed in ways that matter.", "De gedragscode is op belangrijke punten gewijzigd."},
	"conduct.changed-more":   {"Sharing is paused until you read this version and acknowledge it again.", "Delen staat stil tot je deze versie hebt gelezen en opnieuw hebt bevestigd."},
	"conduct.acknowledged":   {"You acknowledged version %s on %s.", "Je hebt versie %s bevestigd op %s."},
	"conduct.still-counts":   {"Your earlier acknowledgement still counts: this version only has small corrections. You can acknowledge it too.", "Je eerdere bevestiging telt nog: deze versie bevat alleen kleine correcties. Je kunt ook deze versie bevestigen."},
	"conduct.confirm":        {"Before you share anything, confirm you have read this.", "Bevestig dat je dit hebt gelezen voordat je iets deelt."},
	"conduct.confirm-record": {"We keep the version, the text you read, the time and your network address as a record of your acknowledgement.", "Als bewijs van je bevestiging bewaren we de versie, de tekst die je hebt gelezen, het tijdstip en je IP-adres."},
	"conduct.acknowledge":    {"I have read and will follow the code of conduct", "Ik heb de gedragscode gelezen en houd me eraan"},

	// Training overview, module, question and result pages.
	"training.title":       {"Training", "Training"},
	"training.lead":        {"Each module is a few minutes of reading and a short quiz. Pass the required ones to unlock sharing.", "Elke module is een paar minuten lezen en een korte quiz. Haal de verplichte modules om delen te ontgrendelen."},
	"training.passed":      {"Passed", "Gehaald"},
	"training.required":    {"Required", "Verplicht"},
	"training.optional":    {"Optional", "Optioneel"},
	"training.overdue":     {"Overdue since %s", "Te laat sinds %s"},
	"training.due":         {"Assigned · due %s", "Toegewezen · uiterlijk %s"},
	"training.size":        {"%d min read · %d questions", "%d min. lezen · %d vragen"},
	"module.minutes":       {"%d min read", "%d min. lezen"},
	"module.passed":        {"You have passed this module. You can take the quiz again to refresh your memory.", "Je hebt deze module gehaald. Je kunt de quiz nog eens doen om je geheugen op te frissen."},
	"quiz.title":           {"Quiz", "Quiz"},
	"quiz.about":           {"%d questions, one at a time. You pass with %d%% correct; every answer is explained.", "%d vragen, één voor één. Je slaagt met %d%% goed; bij elk antwoord krijg je uitleg."},
	"quiz.attempts-left":   {"Attempts left: %d.", "Resterende pogingen: %d."},
	"quiz.continue":        {"Continue the quiz (%d of %d answered)", "Verder met de quiz (%d van %d beantwoord)"},
	"quiz.again":           {"Take the quiz again", "Doe de quiz opnieuw"},
	"quiz.start":           {"Start the quiz", "Start de quiz"},
	"quiz.wait":            {"Take a moment to reread the page: you can try again at %s.", "Lees de pagina rustig nog eens door: je kunt het om %s opnieuw proberen."},
	"question.title":       {"Quiz: %s", "Quiz: %s"},
	"question.progress":    {"Question %d of %d. Your answers are saved as you go: you can close this page and continue later.", "Vraag %d van %d. Je antwoorden worden meteen bewaard: je kunt deze pagina sluiten en later verdergaan."},
	"question.progressbar": {"Quiz progress", "Voortgang van de quiz"},
	"question.submit":      {"Submit my answers", "Mijn antwoorden inleveren"},
	"question.next":        {"Next question", "Volgende vraag"},
	"result.title":         {"Your result", "Je resultaat"},
	"result.passed":        {"You needed %d%% and scored %d%%.", "Je had %d%% nodig en haalde %d%%."},
	"result.not-passed":    {"Not passed yet", "Nog niet gehaald"},
	"result.failed":        {"You need %d%%; you scored %d%%. Read the explanations below and the module page again.", "Je hebt %d%% nodig; je haalde %d%%. Lees de uitleg hieronder en de modulepagina nog eens."},
	"result.to-feed":       {"Go to the feed and share", "Naar de feed om te delen"},
	"result.whats-left":    {"See what is left to unlock sharing", "Bekijk wat er nog nodig is om delen te ontgrendelen"},
	"result.retake":        {"Reread the module and try again", "Lees de module opnieuw en probeer het nog eens"},
	"result.answers":       {"Your answers", "Je antwoorden"},
	"result.correct":       {"Correct", "Goed"},
	"result.wrong":         {"Not correct", "Fout"},
	"result.your-answer":   {"Your answer: %s", "Je antwoord: %s"},
	"result.right-answer":  {"The right answer:", "Het goede antwoord:"},
	"result.hidden":        {"The right answers are shown once you pass or have no attempts left, so the quiz still tests what you learned.", "De goede antwoorden zie je zodra je geslaagd bent of geen pogingen meer over hebt, zodat de quiz blijft toetsen wat je hebt geleerd."},

	// Feed and sharing.
	"feed.title":                {"Feed", "Feed"},
	"feed.locked":               {"Sharing unlocks after your training", "Delen wordt ontgrendeld na je training"},
	"feed.locked-more":          {"To keep you and the company safe online, finish these steps first. They take about ten minutes together.", "Rond eerst deze stappen af, zodat jij en het bedrijf online veilig blijven. Samen kosten ze ongeveer tien minuten."},
	"feed.step-conduct":         {"Read and acknowledge the code of conduct", "Lees en bevestig de gedragscode"},
	"feed.read-conduct":         {"Read the code of conduct", "Gedragscode lezen"},
	"feed.step-module":          {"Pass the quiz “%s”", "Haal de quiz “%s”"},
	"feed.start-module":         {"Start the module", "Module starten"},
	"feed.lead":                 {"Posts approved for you to share. Open a network's share page, change the words to your own, and post it yourself. Facebook gets the link only: its rules do not allow pre-filled text.", "Posts die je mag delen. Open de deelpagina van een netwerk, zet de tekst in je eigen woorden en post hem zelf. Facebook krijgt alleen de link: de regels van Facebook staan geen vooraf ingevulde tekst toe."},
	"feed.empty":                {"Nothing to share right now. New posts appear here as soon as the communications team approves them.", "Er is nu niets om te delen. Nieuwe posts verschijnen hier zodra het communicatieteam ze goedkeurt."},
	"feed.shared":               {"You shared this", "Door jou gedeeld"},
	"feed.published":            {"Published %s", "Gepubliceerd %s"},
	"feed.share-on":             {"Share on", "Delen op"},
	"feed.filter":               {"Filter the feed", "Feed filteren"},
	"feed.category":             {"Category", "Categorie"},
	"feed.any-category":         {"All categories", "Alle categorieën"},
	"feed.campaign":             {"Campaign", "Campagne"},
	"feed.any-campaign":         {"All campaigns", "Alle campagnes"},
	"feed.language":             {"Language", "Taal"},
	"feed.any-language":         {"All languages", "Alle talen"},
	"feed.search":               {"Search", "Zoeken"},
	"feed.search-hint":          {"Title, hashtag or words", "Titel, hashtag of woorden"},
	"feed.apply":                {"Show", "Tonen"},
	"feed.clear":                {"Clear", "Wissen"},
	"feed.no-match":             {"No posts match these filters.", "Geen posts gevonden met deze filters."},
	"feed.your-words":           {"Your words", "Jouw woorden"},
	"feed.your-words-hint":      {"Edit them before you share; every network but Facebook gets them with your link.", "Pas ze aan voor je deelt; elk netwerk behalve Facebook krijgt ze met je link."},
	"feed.history":              {"Your shares", "Jouw gedeelde posts"},
	"feed.suggest":              {"Suggest a link", "Stel een link voor"},
	"category.company_news":     {"Company news", "Bedrijfsnieuws"},
	"category.industry_insight": {"Industry insight", "Brancheinzicht"},
	"category.culture":          {"Culture", "Cultuur"},
	"category.jobs":             {"Jobs", "Vacatures"},
	"category.product":          {"Product", "Product"},
	"network.email":             {"Email", "E-mail"},
	"network.copy":              {"Copy link", "Link kopiëren"},
	"copy.title":                {"Your link to “%s”", "Je link naar “%s”"},
	"copy.lead":                 {"This link is yours: clicks on it count towards your reach. Paste it wherever you like.", "Deze link is van jou: klikken erop tellen mee voor je bereik. Plak hem waar je maar wilt."},
	"copy.label":                {"Your tracked link", "Je trackinglink"},
	"copy.suggested":            {"Suggested words", "Voorgestelde tekst"},
	"copy.back":                 {"Back to the feed", "Terug naar de feed"},
	"mastodon.title":            {"Which Mastodon server are you on?", "Op welke Mastodon-server zit je?"},
	"mastodon.lead":             {"Mastodon has no single website: share pages live on your own server. We will remember it for next time.", "Mastodon heeft niet één website: de deelpagina staat op je eigen server. We onthouden die voor de volgende keer."},
	"mastodon.server":           {"Your server", "Je server"},
	"mastodon.hint":             {"For example mastodon.social or fosstodon.org", "Bijvoorbeeld mastodon.social of fosstodon.org"},
	"mastodon.continue":         {"Continue to Mastodon", "Verder naar Mastodon"},

	// Reach.
	"reach.empty":  {"No shares yet. Shares and clicks show up here as soon as someone shares a post from the feed.", "Nog geen delingen. Delingen en klikken verschijnen hier zodra iemand een post uit de feed deelt."},
	"reach.post":   {"Post", "Post"},
	"reach.shares": {"Shares", "Delingen"},
	"reach.clicks": {"Clicks", "Klikken"},
	"reach.how":    {"How we count: a share is opening a network's share page from the feed. A click is a visit to a tracked link by a person; previews fetched by link checkers (HEAD requests) are not counted.", "Zo tellen we: een deling is het openen van de deelpagina van een netwerk vanuit de feed. Een klik is een bezoek van een persoon aan een trackinglink; voorbeelden die linkcheckers ophalen (HEAD-verzoeken) tellen niet mee."},

	// Reach dashboards: my reach and the leaderboard.
	"reach.how-title":         {"How we count", "Zo tellen we"},
	"reach.how-bots":          {"Bots and link-preview fetchers (LinkedInBot, Slackbot, facebookexternalhit, WhatsApp and the like) are never clicks.", "Bots en programma's die linkvoorbeelden ophalen (LinkedInBot, Slackbot, facebookexternalhit, WhatsApp en dergelijke) zijn nooit klikken."},
	"reach.how-visitors":      {"Unique visitors: the different people who clicked a link on a day, told apart by a hash of their network address and browser whose key changes every day, added up over links and days. No address is ever stored.", "Unieke bezoekers: de verschillende mensen die op een dag op een link klikten, onderscheiden met een hash van hun netwerkadres en browser waarvan de sleutel elke dag wisselt, opgeteld over links en dagen. Er wordt nooit een adres bewaard."},
	"reach.how-reach":         {"Potential reach: for every share, the followers the person had on that network when they shared (as filled in on their profile), added up.", "Potentieel bereik: voor elke deling het aantal volgers dat iemand op dat netwerk had op het moment van delen (zoals ingevuld in het profiel), opgeteld."},
	"reach.how-delay":         {"Clicks show here about a second after they happen.", "Klikken verschijnen hier ongeveer een seconde nadat ze gebeuren."},
	"reach.how-ctr":           {"Click-through rate: clicks divided by potential reach; a dash when there is no potential reach.", "Doorklikratio: klikken gedeeld door potentieel bereik; een streepje als er geen potentieel bereik is."},
	"reach.how-emv":           {"Earned media value: clicks times the cost per click the admins set for the network they came from.", "Verdiende mediawaarde: klikken maal de kosten per klik die de beheerders hebben ingesteld voor het netwerk waar ze vandaan kwamen."},
	"reach.how-points":        {"Points: 1 for every share, except on Facebook, whose rules forbid rewards for posting there, and 1 for every click on your links.", "Punten: 1 voor elke deling, behalve op Facebook, waarvan de regels beloningen voor posten verbieden, en 1 voor elke klik op je links."},
	"reach.period":            {"Period", "Tijdvak"},
	"reach.period-month":      {"This month", "Deze maand"},
	"reach.period-30":         {"Last 30 days", "Afgelopen 30 dagen"},
	"reach.period-all":        {"All time", "Vanaf het begin"},
	"reach.period-days":       {"From %s to %s (UTC).", "Van %s tot en met %s (UTC)."},
	"reach.show":              {"Show", "Tonen"},
	"reach.reach":             {"Potential reach", "Potentieel bereik"},
	"reach.ctr":               {"Click-through rate", "Doorklikratio"},
	"reach.points":            {"Points", "Punten"},
	"reach.network":           {"Network", "Netwerk"},
	"reach.by-post":           {"Per post", "Per post"},
	"reach.by-network":        {"Per network", "Per netwerk"},
	"reach.csv":               {"Download CSV", "CSV downloaden"},
	"reach.rank":              {"You are number %d of %d on the leaderboard in this period.", "Je staat in deze periode op plaats %d van %d in het klassement."},
	"reach.no-rank":           {"You are not on the leaderboard for this period yet: share a post from the feed to earn points.", "Je staat in deze periode nog niet in het klassement: deel een post uit de feed om punten te verdienen."},
	"reach.opted-out":         {"You chose to stay off the leaderboard, so you have no rank. Your own figures are still here for you; you can change your choice on your profile.", "Je hebt ervoor gekozen niet in het klassement te staan, dus je hebt geen plaats. Je eigen cijfers zie je hier nog steeds; je kunt je keuze aanpassen in je profiel."},
	"reach.leaderboard-link":  {"See the leaderboard", "Bekijk het klassement"},
	"leaderboard.title":       {"Leaderboard", "Klassement"},
	"leaderboard.lead":        {"Points for sharing and for the clicks your shares bring in. People who chose to stay off the leaderboard are not listed.", "Punten voor delen en voor de klikken die je delingen opleveren. Mensen die niet in het klassement willen staan, worden niet getoond."},
	"leaderboard.rank":        {"Rank", "Plaats"},
	"leaderboard.person":      {"Person", "Persoon"},
	"leaderboard.department":  {"Department", "Afdeling"},
	"leaderboard.you":         {"you", "jij"},
	"leaderboard.empty":       {"No one has points in this period yet.", "In deze periode heeft nog niemand punten."},
	"given.title.leaderboard": {"Leaderboard", "Klassement"},

	// Texts handed in by handlers and the domain, translated by their wording.
	"given.title.welcome":         {"Welcome", "Welkom"},
	"given.title.sign-in":         {"Sign in", "Inloggen"},
	"given.title.mastodon":        {"Share on Mastodon", "Delen op Mastodon"},
	"given.title.your-link":       {"Your link", "Je link"},
	"given.title.quiz-result":     {"Quiz result", "Quizresultaat"},
	"given.title.error":           {"Error", "Fout"},
	"given.my-reach":              {"My reach", "Mijn bereik"},
	"given.my-reach.intro":        {"What your shares brought in, post by post.", "Wat je delingen hebben opgeleverd, post voor post."},
	"given.programme-reach":       {"Programme reach", "Programmabereik"},
	"given.programme-reach.intro": {"Shares and clicks across all employees, post by post.", "Delingen en klikken van alle medewerkers samen, post voor post."},
	"given.demo-provider":         {"the demo identity provider", "de demo-identiteitsprovider"},
	"given.mastodon.invalid":      {"That does not look like a server name. Type it like mastodon.social.", "Dat lijkt geen servernaam. Typ hem zoals mastodon.social."},
	"given.answer.missing":        {"Choose an answer.", "Kies een antwoord."},
	"given.answer.every":          {"Choose an answer to every question.", "Kies bij elke vraag een antwoord."},
	"given.answer.unknown":        {"That answer is not one of this question's options. Reload the page and answer again.", "Dat antwoord hoort niet bij deze vraag. Laad de pagina opnieuw en antwoord nog een keer."},
	"given.quiz.no-attempts":      {"You have used all your attempts at this quiz. Ask HR to reset them.", "Je hebt al je pogingen voor deze quiz gebruikt. Vraag HR om ze opnieuw in te stellen."},
	"given.error.server":          {"Something went wrong on our side. Please try again; if it keeps happening, tell the portal's administrators.", "Er ging bij ons iets mis. Probeer het nog eens; blijft het gebeuren, laat het dan de beheerders van het portaal weten."},
	"given.error.server-short":    {"Something went wrong on our side. Please try again.", "Er ging bij ons iets mis. Probeer het nog eens."},
	"given.error.not-found":       {"We could not find what you asked for.", "We konden niet vinden wat je zocht."},
	"given.error.no-page":         {"There is no page at this address.", "Op dit adres staat geen pagina."},
	"given.error.method":          {"This address does not accept that kind of request.", "Dit adres accepteert dit soort verzoeken niet."},
	"given.error.too-large":       {"What you sent is too large.", "Wat je hebt verstuurd, is te groot."},
	"given.error.bad-request":     {"The request could not be understood. Please go back and try again.", "Het verzoek was niet te begrijpen. Ga terug en probeer het nog eens."},
	"given.error.roles":           {"Your roles do not give you access to this page. If you think they should, ask the portal's administrators.", "Met je rollen heb je geen toegang tot deze pagina. Denk je dat dat wel zou moeten, vraag het dan aan de beheerders van het portaal."},
	"given.error.csrf":            {"This form has expired or did not come from this portal, so nothing was changed. Go back, reload the page and try again.", "Dit formulier is verlopen of kwam niet van dit portaal, dus er is niets gewijzigd. Ga terug, laad de pagina opnieuw en probeer het nog eens."},
	"given.error.no-provider":     {"There is no such way to sign in here.", "Op deze manier kun je hier niet inloggen."},
	"given.error.deactivated":     {"Your account in the portal is deactivated. Ask the portal's administrators if this is a mistake.", "Je account in het portaal is gedeactiveerd. Vraag de beheerders van het portaal of dat een vergissing is."},
	"given.error.no-post":         {"There is no such post.", "Deze post bestaat niet."},
	"given.error.not-in-feed":     {"There is no such post in your feed. It may have expired or been withdrawn.", "Deze post staat niet in je feed. Misschien is hij verlopen of ingetrokken."},
	"given.error.locked":          {"Sharing unlocks once you have acknowledged the code of conduct and passed the required training. Your feed shows what is left.", "Delen wordt ontgrendeld zodra je de gedragscode hebt bevestigd en de verplichte training hebt gehaald. In je feed zie je wat er nog openstaat."},
	"given.error.network":         {"Choose one of the networks offered on the feed.", "Kies een van de netwerken uit de feed."},
	"given.error.link":            {"This link is not known here. Check that it was copied completely.", "Deze link is hier niet bekend. Controleer of hij volledig is gekopieerd."},
	"given.error.language":        {"That language is not available.", "Die taal is niet beschikbaar."},
	"given.error.conduct":         {"The code of conduct changed while you were reading it. Please read the current version and acknowledge that one.", "De gedragscode is gewijzigd terwijl je hem las. Lees de huidige versie en bevestig die."},
	"given.error.no-module":       {"There is no training module with that name.", "Er is geen trainingsmodule met die naam."},
	"given.error.no-attempt":      {"There is no such quiz attempt.", "Deze quizpoging bestaat niet."},
	"given.error.all-answered":    {"Every question of this attempt is answered.", "Alle vragen van deze poging zijn beantwoord."},
	"given.error.submitted":       {"This attempt is already submitted. See its result, or start a new attempt from the module page.", "Deze poging is al ingeleverd. Bekijk het resultaat, of begin een nieuwe poging vanaf de modulepagina."},

	// Privacy page (privacy.templ) and the download's errors.
	"privacy.title":              {"Privacy", "Privacy"},
	"privacy.lead":               {"This page is about you: what the portal records when you use it, what it never does, how long it keeps things, and how to get a copy of your data.", "Deze pagina gaat over jou: wat het portaal vastlegt als je het gebruikt, wat het nooit doet, hoe lang het gegevens bewaart en hoe je een kopie van je gegevens krijgt."},
	"privacy.records":            {"What the portal records about you", "Wat het portaal over jou vastlegt"},
	"privacy.profile":            {"Your profile from the company's identity provider.", "Je profiel van de identiteitsprovider van het bedrijf."},
	"privacy.profile-more":       {"When you sign in: your name, work email address, department and an identifier of your company account, and the roles and groups that come with it.", "Als je inlogt: je naam, werk-e-mailadres, afdeling en een kenmerk van je bedrijfsaccount, en de rollen en groepen die daarbij horen."},
	"privacy.settings":           {"What you tell it.", "Wat je zelf invult."},
	"privacy.settings-more":      {"The follower counts you declare per network (they estimate the potential reach of your shares; nobody checks them), your Mastodon server, language, time zone, email digest and leaderboard choice.", "De aantallen volgers die je per netwerk opgeeft (ze schatten het mogelijke bereik van wat je deelt; niemand controleert ze), je Mastodon-server, taal, tijdzone, e-mailoverzicht en keuze voor het klassement."},
	"privacy.training":           {"Your quiz attempts.", "Je quizpogingen."},
	"privacy.training-more":      {"For each attempt: the module, your answers, your score, whether you passed and when.", "Per poging: de module, je antwoorden, je score, of je geslaagd bent en wanneer."},
	"privacy.ip":                 {"Your acknowledgements of the code of conduct.", "Je bevestigingen van de gedragscode."},
	"privacy.ip-more":            {"The version, a fingerprint of the text you read, the time and the IP address your acknowledgement came from. Auditors ask for this evidence; it is the one place where the portal keeps an IP address.", "De versie, een vingerafdruk van de tekst die je las, het tijdstip en het IP-adres waar je bevestiging vandaan kwam. Auditors vragen om dit bewijs; het is de enige plek waar het portaal een IP-adres bewaart."},
	"privacy.shares":             {"Your shares.", "Wat je deelt."},
	"privacy.shares-more":        {"Each time you open a network's share page from the feed: the post, the network, your tracked link, the time, your follower count on that network at that moment, and whether you confirmed that you posted it.", "Elke keer dat je vanuit de feed de deelpagina van een netwerk opent: de post, het netwerk, je trackinglink, het tijdstip, je aantal volgers op dat netwerk op dat moment en of je hebt bevestigd dat je het hebt gepost."},
	"privacy.clicks":             {"Clicks on your links.", "Klikken op je links."},
	"privacy.clicks-more":        {"A click is counted with its time, never with the visitor's IP address or browser (user agent). To count distinct visitors the portal keeps a visitor hash: a one-way code made from the address and browser with a random key that changes every day and is deleted the day after, so no visitor can be recognised from one day to the next or traced back.", "Een klik wordt geteld met het tijdstip, nooit met het IP-adres of de browser (user agent) van de bezoeker. Om unieke bezoekers te tellen bewaart het portaal een bezoekershash: een code in één richting, gemaakt van het adres en de browser met een willekeurige sleutel die elke dag verandert en de dag erna wordt gewist. Zo is geen bezoeker van de ene dag op de andere te herkennen of te herleiden."},
	"privacy.mail":               {"Mail to you.", "Mail aan jou."},
	"privacy.mail-more":          {"Training reminders and digests wait in an outbox and stay there as a record of what was sent.", "Trainingsherinneringen en overzichten wachten in een outbox en blijven daar bewaard als overzicht van wat is verstuurd."},
	"privacy.audit":              {"The audit log.", "Het auditlog."},
	"privacy.audit-more":         {"What HR, communications and administrators do in the portal, such as assigning you training or exporting reports, is logged. The log refers to people by their number in the portal, not by name.", "Wat HR, communicatie en beheerders in het portaal doen, zoals je een training toewijzen of rapporten exporteren, wordt gelogd. Het log noemt mensen met hun nummer in het portaal, niet met hun naam."},
	"privacy.never":              {"What the portal never does", "Wat het portaal nooit doet"},
	"privacy.never-accounts":     {"It never reads your personal social media accounts and never posts to them: sharing opens the network's own share page, and you post yourself, in your own words.", "Het leest nooit je persoonlijke sociale-media-accounts en post er nooit op: delen opent de eigen deelpagina van het netwerk, en je post zelf, in je eigen woorden."},
	"privacy.never-monitor":      {"It never monitors your accounts or what you post outside the portal.", "Het houdt je accounts en wat je buiten het portaal post nooit in de gaten."},
	"privacy.never-ip":           {"It never stores the IP address or browser of the people who click your links, and never writes IP addresses to its logs.", "Het bewaart nooit het IP-adres of de browser van de mensen die op je links klikken en schrijft nooit IP-adressen in zijn logs."},
	"privacy.never-forced":       {"Taking part is voluntary: nobody has to share anything.", "Meedoen is vrijwillig: niemand hoeft iets te delen."},
	"privacy.retention":          {"How long it is kept", "Hoe lang het wordt bewaard"},
	"privacy.keep-clicks":        {"Individual clicks: %d days. After that only the daily totals per link remain.", "Losse klikken: %d dagen. Daarna blijven alleen de dagtotalen per link over."},
	"privacy.keep-salts":         {"Visitor hashes and the daily key behind them: until the end of the next day.", "Bezoekershashes en de dagelijkse sleutel erachter: tot het einde van de volgende dag."},
	"privacy.keep-sessions":      {"Your sign-in: %d hours; expired sign-ins are deleted.", "Je inlogsessie: %d uur; verlopen sessies worden gewist."},
	"privacy.keep-account":       {"Your profile, training record and shares: as long as you have an account in the portal.", "Je profiel, trainingsgegevens en wat je hebt gedeeld: zolang je een account in het portaal hebt."},
	"privacy.keep-erasure":       {"When you leave the company, an administrator can erase your personal data: your name, email address, company account identifier, department, settings, follower counts, groups, sessions and mail to you are removed, and so is the IP address in your acknowledgements. Your training record stays without your name, and your shares and their clicks stay in the programme's totals.", "Als je het bedrijf verlaat, kan een beheerder je persoonsgegevens wissen: je naam, e-mailadres, het kenmerk van je bedrijfsaccount, afdeling, instellingen, aantallen volgers, groepen, sessies en mail aan jou worden verwijderd, en ook het IP-adres in je bevestigingen. Je trainingsgegevens blijven zonder je naam bestaan, en wat je hebt gedeeld en de klikken daarop blijven meetellen in de totalen van het programma."},
	"privacy.download":           {"Download your data", "Je gegevens downloaden"},
	"privacy.download-more":      {"You can download everything above that is about you: your profile, training record, shares and the reach of your links, as JSON or as CSV files in a zip.", "Je kunt alles hierboven wat over jou gaat downloaden: je profiel, trainingsgegevens, wat je hebt gedeeld en het bereik van je links, als JSON of als CSV-bestanden in een zip."},
	"privacy.download-json":      {"Download as JSON", "Downloaden als JSON"},
	"privacy.download-csv":       {"Download as CSV (zip)", "Downloaden als CSV (zip)"},
	"privacy.download-sign-in":   {"Sign in to download your data", "Log in om je gegevens te downloaden"},
	"privacy.contact":            {"Questions", "Vragen"},
	"privacy.contact-more":       {"For questions about your data, or to have something corrected or erased, contact your company's data protection officer or the portal's administrators; HR can tell you who they are.", "Heb je vragen over je gegevens, of wil je iets laten corrigeren of wissen, neem dan contact op met de functionaris voor gegevensbescherming van je bedrijf of met de beheerders van het portaal; HR kan je vertellen wie dat zijn."},
	"given.title.privacy":        {"Privacy", "Privacy"},
	"given.error.export-format":  {"Choose the format json or csv.", "Kies het formaat json of csv."},
	"given.error.export-section": {"There is no such section. Choose profile, acknowledgements, attempts, shares or reach.", "Dit onderdeel bestaat niet. Kies profile, acknowledgements, attempts, shares of reach."},

	// Concerns (concerns.templ).
	"concern.action.acknowledged":     {"acknowledged it", "heeft het bevestigd"},
	"concern.action.assigned":         {"assigned it to", "heeft het toegewezen aan"},
	"concern.action.closed":           {"closed it", "heeft het gesloten"},
	"concern.action.commented":        {"commented", "schreef"},
	"concern.action.reported":         {"reported it", "heeft het gemeld"},
	"concern.created":                 {"Thank you. Your report was sent to the points of contact; you can follow it here.", "Dank je. Je melding is naar de contactpersonen gestuurd; je kunt hem hier volgen."},
	"concern.description":             {"What happened", "Wat er gebeurde"},
	"concern.description-hint":        {"Up to 4000 characters.", "Maximaal 4000 tekens."},
	"concern.history":                 {"History", "Geschiedenis"},
	"concern.kind":                    {"What worries you", "Waar maak je je zorgen over"},
	"concern.kind.customer-complaint": {"A customer complaint", "Een klacht van een klant"},
	"concern.kind.journalist":         {"A journalist's question", "Een vraag van een journalist"},
	"concern.kind.negative-mention":   {"A negative mention", "Een negatieve vermelding"},
	"concern.kind.other":              {"Something else", "Iets anders"},
	"concern.kind.own-mistake":        {"A mistake of my own", "Een fout van mezelf"},
	"concern.lead":                    {"Saw something about the company that worries you, or made a mistake yourself? Tell the points of contact; they will pick it up. Do not respond online yourself in the meantime.", "Iets over het bedrijf gezien waar je je zorgen over maakt, of zelf een fout gemaakt? Meld het bij de contactpersonen; zij pakken het op. Reageer intussen niet zelf online."},
	"concern.link":                    {"Link", "Link"},
	"concern.link-hint":               {"Optional; the address where you saw it, starting with https://", "Optioneel; het adres waar je het zag, beginnend met https://"},
	"concern.mine":                    {"My reports", "Mijn meldingen"},
	"concern.none":                    {"You have not reported anything.", "Je hebt nog niets gemeld."},
	"concern.problem":                 {"Some fields need attention. Nothing was sent; choose the screenshot again if you added one.", "Sommige velden hebben aandacht nodig. Er is niets verstuurd; kies de schermafbeelding opnieuw als je er een had toegevoegd."},
	"concern.reported":                {"Reported", "Gemeld"},
	"concern.screenshot":              {"Screenshot", "Schermafbeelding"},
	"concern.screenshot-hint":         {"Optional; a PNG, JPEG or GIF of at most 2 MB.", "Optioneel; een PNG, JPEG of GIF van maximaal 2 MB."},
	"concern.send":                    {"Send report", "Melding versturen"},
	"concern.status":                  {"Status", "Status"},
	"concern.status.acknowledged":     {"Being handled", "In behandeling"},
	"concern.status.closed":           {"Closed", "Gesloten"},
	"concern.status.new":              {"New", "Nieuw"},
	"concern.title":                   {"Report a concern", "Een zorg melden"},
	"concern.urgent":                  {"Urgent: the points of contact get an email at once", "Dringend: de contactpersonen krijgen meteen een e-mail"},
	"concern.urgent-badge":            {"Urgent", "Dringend"},
	"concern.visibility":              {"Only you and the points of contact see this report. Everything they write about it is shown to you too.", "Alleen jij en de contactpersonen zien deze melding. Alles wat zij erover schrijven, zie jij ook."},
	"given.error.concern-missing":     {"There is no concern at this address.", "Er is geen melding op dit adres."},
	"given.title.concern":             {"Concern", "Melding"},
	"given.title.concern-new":         {"Report a concern", "Een zorg melden"},
	"given.title.concerns":            {"Concerns", "Meldingen"},

	// Crisis pause and share cadence (pause.templ).
	"pause.banner-title":     {"Sharing is paused for now", "Delen staat even stil"},
	"pause.banner-programme": {"The communications team has paused all posts.", "Het communicatieteam heeft alle posts gepauzeerd."},
	"pause.banner-part":      {"The communications team has paused some posts.", "Het communicatieteam heeft een deel van de posts gepauzeerd."},
	"pause.banner-reason":    {"Why: %s", "Waarom: %s"},
	"pause.banner-more":      {"Nothing is needed from you. Links you already shared keep working, and the posts come back here when sharing resumes.", "Je hoeft niets te doen. Links die je al deelde blijven werken, en de posts komen hier terug zodra delen weer kan."},
	"cadence.today":          {"Today you shared %d times on %s.", "Vandaag deelde je %d keer op %s."},
	"cadence.limit":          {"The programme suggests at most %d shares per network per day.", "Het programma raadt maximaal %d keer delen per netwerk per dag aan."},
	"cadence.ask-title":      {"Take a breath before sharing again", "Even pauze voordat je weer deelt"},
	"cadence.ask-count":      {"Shares on %[2]s today: %[1]d. The programme suggests at most %[3]d a day.", "Vandaag gedeeld op %[2]s: %[1]d keer. Het programma raadt maximaal %[3]d per dag aan."},
	"cadence.ask-why":        {"Your network listens to you because you are a person, not a channel. Many company posts in one day start to look like advertising, and people scroll past them. Fewer, well-chosen shares keep your voice your own. Shares beyond the limit earn no points.", "Je netwerk luistert naar je omdat je een mens bent, geen kanaal. Veel bedrijfsposts op één dag gaan op reclame lijken, en mensen scrollen eraan voorbij. Minder, goedgekozen posts houden je stem van jezelf. Delen boven de limiet levert geen punten op."},
	"cadence.share-anyway":   {"Share anyway", "Toch delen"},
	"cadence.back":           {"Back to the feed", "Terug naar de feed"},
	"given.pause.refused":    {"Sharing this post is paused for now. Your feed says why; it comes back once the communications team resumes it.", "Delen van deze post staat even stil. Je feed vertelt waarom; hij komt terug zodra het communicatieteam delen hervat."},
	"given.cadence.cap":      {"You have reached today's share limit on this network. Give your network a rest and share again tomorrow.", "Je hebt de deellimiet van vandaag voor dit netwerk bereikt. Gun je netwerk wat rust en deel morgen weer."},
	"given.title.cadence":    {"Take a breath", "Even pauze"},

	// A form refused for its text (input.templ), and the fields it names.
	"input.title":                {"Some of what you sent cannot be stored", "Een deel van wat je stuurde, kunnen we niet opslaan"},
	"input.lead":                 {"Nothing was saved. Go back to the form (your browser's Back button keeps what you typed), correct what is listed below and send it again.", "Er is niets opgeslagen. Ga terug naar het formulier (met de terugknop van je browser blijft staan wat je typte), verbeter wat hieronder staat en verstuur het opnieuw."},
	"input.back":                 {"Back to the form", "Terug naar het formulier"},
	"input.file-name":            {"The name of the file in “%s”", "De naam van het bestand bij ‘%s’"},
	"input.field-name":           {"The name of a form field", "De naam van een formulierveld"},
	"given.input.utf8":           {"is not valid UTF-8 text; paste it again from its source, or type it", "is geen geldige UTF-8-tekst; plak hem opnieuw vanuit de bron, of typ hem"},
	"given.field.title":          {"Title", "Titel"},
	"given.field.link":           {"Link", "Link"},
	"given.field.suggestion":     {"Suggested commentary", "Voorgestelde tekst"},
	"given.field.suggestion-net": {"Network for a suggestion", "Netwerk voor een voorgestelde tekst"},
	"given.field.hashtags":       {"Hashtags", "Hashtags"},
	"given.field.campaign":       {"Campaign", "Campagne"},
	"given.field.category":       {"Category", "Categorie"},
	"given.field.language":       {"Language", "Taal"},
	"given.field.publish-at":     {"Publish at", "Publiceren op"},
	"given.field.expires-at":     {"Expires at", "Verloopt op"},
	"given.field.image":          {"Image", "Afbeelding"},
	"given.field.name":           {"Name", "Naam"},
	"given.field.kind":           {"Kind", "Soort"},
	"given.field.description":    {"What happened", "Wat er gebeurde"},
	"given.field.screenshot":     {"Screenshot", "Schermafbeelding"},
	"given.field.comment":        {"Comment", "Opmerking"},
	"given.field.note":           {"Note", "Notitie"},
	"given.field.emails":         {"Email addresses", "E-mailadressen"},
	"given.field.email":          {"Email address", "E-mailadres"},
	"given.field.confirm-email":  {"Email address to confirm", "Te bevestigen e-mailadres"},
	"given.field.reason":         {"Reason", "Reden"},
	"given.field.scope":          {"What to pause", "Wat je pauzeert"},
	"given.field.text":           {"Your words", "Jouw woorden"},
	"given.field.offered":        {"The suggested text", "De voorgestelde tekst"},
	"given.field.instance":       {"Your server", "Je server"},
	"given.field.time-zone":      {"Time zone", "Tijdzone"},
	"given.field.blocked-terms":  {"Blocked words and phrases", "Geblokkeerde woorden en zinnen"},
	"given.field.watch-hashtags": {"Hashtags on the watch list", "Hashtags op de volglijst"},
	"given.field.disclosure":     {"Required disclosure", "Verplichte vermelding"},
	"given.field.currency":       {"Currency", "Valuta"},
	"given.field.goal":           {"Goal", "Doel"},
	"given.field.starts":         {"Starts", "Begint"},
	"given.field.ends":           {"Ends", "Eindigt"},
	"given.field.due":            {"Due date", "Uiterste datum"},
	"given.field.file":           {"CSV file", "CSV-bestand"},
	"given.field.back":           {"The page to return to", "De pagina om naar terug te gaan"},

	// The one-click unsubscribe link of the digest mail.
	"unsubscribe.title":         {"Stop the email digest?", "Het overzicht per mail stoppen?"},
	"unsubscribe.ask":           {"The portal mails %s a digest of new posts to share. Turn it off, and no more digests come.", "Het portaal mailt %s een overzicht van nieuwe posts om te delen. Zet het uit, dan komen er geen overzichten meer."},
	"unsubscribe.button":        {"Turn the digest off", "Overzicht uitzetten"},
	"unsubscribe.done-title":    {"The digest is off", "Het overzicht staat uit"},
	"unsubscribe.done":          {"No more digests go to %s.", "Er gaan geen overzichten meer naar %s."},
	"unsubscribe.profile":       {"You can turn it on again, daily or weekly, on your profile.", "Je kunt het weer aanzetten, dagelijks of wekelijks, in je profiel."},
	"unsubscribe.profile-link":  {"Go to your profile", "Naar je profiel"},
	"given.title.unsubscribe":   {"Email digest", "Overzicht per mail"},
	"given.unsubscribe.invalid": {"This link does not turn off any digest: it is incomplete or was not made by this portal. You can turn the digest off on your profile.", "Deze link zet geen overzicht uit: hij is onvolledig of niet door dit portaal gemaakt. Je kunt het overzicht in je profiel uitzetten."},
}

// tr is the interface text with id key in lang: Dutch for "nl" when the
// catalog has it, else English. An unknown key shows as itself, which the
// catalog test prevents from ever shipping.
func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if isDutch(lang) && m.nl != "" {
		return m.nl
	}
	return m.en
}

// trf is tr with fmt verbs in the text filled in from args.
func trf(lang, key string, args ...any) string {
	return fmt.Sprintf(tr(lang, key), args...)
}

func isDutch(lang string) bool {
	return lang == "nl" || strings.HasPrefix(lang, "nl-")
}

// givenKeys maps the English wording of the "given." entries to their ids.
var givenKeys = sync.OnceValue(func() map[string]string {
	keys := make(map[string]string)
	for k, m := range messages {
		if strings.HasPrefix(k, "given.") {
			keys[m.en] = k
		}
	}
	return keys
})

// trGiven translates an English text that a handler or the domain handed
// to the view, such as a page title or an error message; text the catalog
// does not know is shown as it came.
func trGiven(lang, english string) string {
	if key, ok := givenKeys()[english]; ok {
		return tr(lang, key)
	}
	return english
}

// navLabel is a navigation entry's label in lang.
func navLabel(lang string, item navItem) string {
	switch item.Key {
	case "feed":
		return tr(lang, "nav.feed")
	case "training":
		return tr(lang, "nav.training")
	case "conduct":
		return tr(lang, "nav.conduct")
	case "my-reach":
		return tr(lang, "nav.my-reach")
	case "posts":
		return tr(lang, "nav.posts")
	case "reach":
		return tr(lang, "nav.reach")
	case "hr":
		return tr(lang, "nav.hr")
	case "admin":
		return tr(lang, "nav.admin")
	case "profile":
		return tr(lang, "nav.profile")
	}
	return item.Label
}

// categoryLabel is a post category as people read it in lang.
func categoryLabel(lang string, c post.Category) string {
	switch c {
	case post.CompanyNews:
		return tr(lang, "category.company_news")
	case post.IndustryInsight:
		return tr(lang, "category.industry_insight")
	case post.Culture:
		return tr(lang, "category.culture")
	case post.Jobs:
		return tr(lang, "category.jobs")
	case post.Product:
		return tr(lang, "category.product")
	}
	return c.Label()
}

// networkLabel is a share button's label in lang: the network's own name,
// or what the button does for e-mail and copying the link.
func networkLabel(lang string, n share.Network) string {
	switch n {
	case share.Email:
		return tr(lang, "network.email")
	case share.Copy:
		return tr(lang, "network.copy")
	}
	return n.Label()
}

// statusTextIn is an HTTP status as the error page shows it, in lang.
func statusTextIn(lang string, status int) string {
	if !isDutch(lang) {
		return statusText(status)
	}
	switch status {
	case 400:
		return tr(lang, "status.400")
	case 401:
		return tr(lang, "status.401")
	case 403:
		return tr(lang, "status.403")
	case 404:
		return tr(lang, "status.404")
	case 405:
		return tr(lang, "status.405")
	case 409:
		return tr(lang, "status.409")
	case 413:
		return tr(lang, "status.413")
	case 422:
		return tr(lang, "status.422")
	}
	return tr(lang, "status.500")
}

// quizBlocked is why a quiz attempt cannot start now, in lang. The domain
// gives the reason in English; for other languages it is told again from
// what the page knows (a time to wait for, or no attempts left).
func quizBlocked(lang, why string, notBefore time.Time) string {
	if !isDutch(lang) {
		return why
	}
	if !notBefore.IsZero() {
		return trf(lang, "quiz.wait", notBefore.UTC().Format("15:04 MST"))
	}
	return trGiven(lang, why)
}

var (
	monthsNL      = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	shortMonthsNL = [...]string{"jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."}
)

// dateIn formats a day for people in lang: "22 November 2026" or
// "22 november 2026".
func dateIn(lang string, t time.Time) string {
	if !isDutch(lang) || t.IsZero() {
		return date(t)
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsNL[t.Month()-1], t.Year())
}

// dateTimeIn formats a moment for people in lang, in UTC:
// "22 Nov 2026, 14:05 UTC" or "22 nov. 2026, 14:05 UTC".
func dateTimeIn(lang string, t time.Time) string {
	if !isDutch(lang) || t.IsZero() {
		return dateTime(t)
	}
	u := t.UTC()
	return fmt.Sprintf("%d %s %d, %s", u.Day(), shortMonthsNL[u.Month()-1], u.Year(), u.Format("15:04 MST"))
}
